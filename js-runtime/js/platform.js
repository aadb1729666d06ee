// Drives a game on squish 1.4.x the way the 2026 platform's session does (homegames-common's
// GameSession without a frame): the Squisher coalesces state changes into one flush per turn of
// the event loop, the session broadcasts once per turn, a joiner gets a frame of its own, input
// is validated before the game sees it. One deliberate difference: a player whom no node names
// gets the shared part of the scene (what the Squisher builds for a player it knows), never the
// whole state with other players' private nodes (see docs/protocol.md).
'use strict';

// Most bytes one file input may carry (the platform's own limit).
const MAX_FILE_INPUT_BYTES = 8 * 1024 * 1024;

module.exports = (hg, { guard, jsonCopy }) => {
  let game = null;
  let squisher = null;
  let maxPlayers = 64;
  // Joined players and spectators, who get every broadcast.
  const connected = new Set();
  let broadcastScheduled = false;

  // The squish the Squisher last made, to one player (or all connected: -1).
  const send = (target) => hg.opState('[]', 'send', target);
  const sendPlayerFrame = (playerId) => {
    squisher.flush();
    send(playerId);
  };
  // One broadcast per turn of the loop, carrying the latest state.
  const scheduleBroadcast = () => {
    if (broadcastScheduled) return;
    broadcastScheduled = true;
    hg.setImmediate(() => {
      broadcastScheduled = false;
      if (connected.size === 0) return;
      guard('broadcast', () => {
        squisher.flush();
        send(-1);
      });
    });
  };

  // Hit-testing as the platform's session does it: player ids compared loosely, vertices through
  // the layer's scale, an inclusive bounding box then an even-odd ray test, the last hit in
  // traversal order wins, at most 100 levels deep.
  const findClick = (node, scale, x, y, playerId, clicked, depth) => {
    if (depth > 100) return clicked;
    if (node.playerIds && node.playerIds.length > 0 && !node.playerIds.find((p) => p == playerId)) return clicked;
    const coords = node.coordinates2d;
    if (coords && coords.length > 0) {
      const xOff = 100 - scale.x * 100;
      const yOff = 100 - scale.y * 100;
      const vertices = [];
      for (let i = 0; i < coords.length; i++) {
        vertices.push([coords[i][0] * ((100 - xOff) / 100) + xOff / 2, coords[i][1] * ((100 - yOff) / 100) + yOff / 2]);
      }
      let minX = vertices[0][0], maxX = vertices[0][0], minY = vertices[0][1], maxY = vertices[0][1];
      for (let i = 1; i < vertices.length; i++) {
        minX = Math.min(vertices[i][0], minX);
        maxX = Math.max(vertices[i][0], maxX);
        minY = Math.min(vertices[i][1], minY);
        maxY = Math.max(vertices[i][1], maxY);
      }
      let inside = false;
      if (!(x < minX || x > maxX || y < minY || y > maxY)) {
        for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i++) {
          if ((vertices[i][1] > y) !== (vertices[j][1] > y)
            && x < ((vertices[j][0] - vertices[i][0]) * (y - vertices[i][1])) / (vertices[j][1] - vertices[i][1]) + vertices[i][0]) {
            inside = !inside;
          }
        }
      }
      if (inside) clicked = node;
    }
    if (node.children) {
      for (const key of Object.keys(node.children)) {
        const child = node.children[key];
        if (child && child.node) clicked = findClick(child.node, scale, x, y, playerId, clicked, depth + 1);
      }
    }
    return clicked;
  };

  // A file arrives as base64 text (current clients) or as a JSON-ified byte array (older ones).
  const decodeFileInput = (raw) => {
    let bytes = null;
    if (typeof raw === 'string') bytes = Buffer.from(raw, 'base64');
    else if (raw && typeof raw === 'object') {
      const values = Object.values(raw);
      if (values.length > MAX_FILE_INPUT_BYTES) return null;
      bytes = Buffer.from(values);
    }
    if (!bytes || bytes.length === 0 || bytes.length > MAX_FILE_INPUT_BYTES) return null;
    return bytes;
  };
  const startsWith = (b, at, sig) => b.length > at + sig.length - 1 && sig.every((v, i) => b[at + i] === v);
  // What the bytes are, by their magic numbers (the client's mime type is only a fallback).
  const sniffKind = (b) => {
    if (startsWith(b, 0, [0x89, 0x50, 0x4e, 0x47]) || startsWith(b, 0, [0xff, 0xd8, 0xff]) || startsWith(b, 0, [0x47, 0x49, 0x46])) return 'image';
    if (b.length > 11 && startsWith(b, 0, [0x52, 0x49, 0x46, 0x46])) {
      if (startsWith(b, 8, [0x57, 0x45, 0x42, 0x50])) return 'image';
      if (startsWith(b, 8, [0x57, 0x41, 0x56, 0x45])) return 'audio';
    }
    if (startsWith(b, 0, [0x49, 0x44, 0x33])) return 'audio';
    if (b.length > 1 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0) return 'audio';
    if (startsWith(b, 0, [0x4f, 0x67, 0x67, 0x53]) || startsWith(b, 0, [0x66, 0x4c, 0x61, 0x43])) return 'audio';
    if (b.length > 11 && startsWith(b, 4, [0x66, 0x74, 0x79, 0x70])) return 'audio';
    return null;
  };
  const fileMeta = (bytes, extra) => {
    const contentType = typeof extra.contentType === 'string' && extra.contentType.length <= 100 ? extra.contentType : null;
    let kind = sniffKind(bytes);
    if (!kind && contentType) {
      if (contentType.indexOf('image/') === 0) kind = 'image';
      else if (contentType.indexOf('audio/') === 0) kind = 'audio';
    }
    const fileName = typeof extra.fileName === 'string' ? extra.fileName.slice(0, 128) : null;
    return { kind, contentType, fileName };
  };
  const validKey = (key) => typeof key === 'string' && key.length <= 20;

  return {
    start(GameClass, meta) {
      hg.useCheckPhase();
      maxPlayers = (meta && meta.maxPlayers) || 64;
      const addAsset = (key, asset) => new Promise((res, rej) => {
        if (!squisher) return rej(new Error('no squisher yet'));
        squisher.handleNewAsset(key, asset).then(res).catch(rej);
      });
      // The platform's game-only session gives a game nothing else: no saveGame, no services.
      game = new GameClass({ addAsset });
      const squishjs = hg.makeRequire('/')('squish-' + meta.squishVersion);
      squisher = new squishjs.Squisher({ game, scale: { x: 1, y: 1 } });
      squisher.addListener(() => scheduleBroadcast());
    },
    join(playerId, name, clientInfo) {
      connected.add(playerId);
      const payload = { playerId, settings: { SOUND: true }, info: name ? { name } : {}, clientInfo: jsonCopy(clientInfo || {}), requestedGame: null };
      guard('handleNewPlayer', () => game.handleNewPlayer && game.handleNewPlayer(payload));
      guard('join frame', () => sendPlayerFrame(playerId));
    },
    spectate(playerId) {
      connected.add(playerId);
      guard('spectator frame', () => sendPlayerFrame(playerId));
    },
    leave(playerId) {
      connected.delete(playerId);
      guard('handlePlayerDisconnect', () => game.handlePlayerDisconnect && game.handlePlayerDisconnect(playerId));
    },
    unspectate(playerId) {
      connected.delete(playerId);
    },
    key(playerId, key, down) {
      if (!validKey(key)) return;
      const handler = down ? 'handleKeyDown' : 'handleKeyUp';
      guard(handler, () => game[handler] && game[handler](playerId, key));
    },
    gamepad(playerId, message) {
      guard('handleGamepadInput', () => game.handleGamepadInput && game.handleGamepadInput(playerId, jsonCopy(message)));
    },
    playerUpdate(playerId, update) {
      const { info, settings } = jsonCopy(update) || {};
      guard('handlePlayerUpdate', () => game.handlePlayerUpdate && game.handlePlayerUpdate(playerId, { info, settings }));
    },
    canAddPlayer() {
      if (connected.size >= maxPlayers) return false;
      const answer = guard('canAddPlayer', () => (game.canAddPlayer ? game.canAddPlayer() : true));
      return answer === undefined ? true : !!answer;
    },
    mouseUp(playerId, x, y) {
      guard('handleMouseUp', () => game.handleMouseUp && game.handleMouseUp(playerId, { x, y }));
    },
    click(playerId, x, y) {
      if (typeof x !== 'number' || typeof y !== 'number' || x < 0 || y < 0 || x >= 100 || y >= 100) return null;
      return guard('click', () => {
        let hit = null;
        const layers = game.getLayers();
        for (let i = 0; i < layers.length; i++) {
          hit = findClick(layers[i].root.node, layers[i].scale || { x: 1, y: 1 }, x, y, playerId, null, 0) || hit;
        }
        if (!hit) return null;
        const real = game.findNode(hit.id);
        const hasHandler = !!(real && real.node && real.node.handleClick);
        if (hasHandler) real.node.handleClick(playerId, x, y);
        return { nodeId: hit.id, hasHandler, found: !!real };
      });
    },
    input(playerId, nodeId, input, extra) {
      return guard('input', () => {
        const node = game.findNode(nodeId);
        if (!node || !node.node || !node.node.input) return null;
        if (node.node.input.type === 'file') {
          const bytes = decodeFileInput(input);
          if (bytes) node.node.input.oninput(playerId, bytes, fileMeta(bytes, extra || {}));
        } else {
          node.node.input.oninput(playerId, input);
        }
        return nodeId;
      });
    },
    hover(playerId, nodeId, on) {
      guard(on ? 'onHover' : 'offHover', () => {
        const node = game.findNode(nodeId);
        const fn = node && node.node && node.node[on ? 'onHover' : 'offHover'];
        if (fn) fn(playerId);
      });
    },
    resquish(n) {
      for (let i = 0; i < n; i++) {
        squisher.state = squisher.squish(game.getLayers(), null, 'keep');
        send(-1);
      }
    },
    close() {
      guard('close', () => game && game.close && game.close());
    },
  };
};
