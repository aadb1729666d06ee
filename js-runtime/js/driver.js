// Drives one game the way the original session server does, minus its own chrome layers:
// construct, squish, join/leave, route input, hit-test clicks on the live tree.
'use strict';

module.exports = (hg) => {
  let game = null;
  let squisher = null;
  let bezel = { x: 0, y: 0 };
  let scale = { x: 1, y: 1 };
  let GameClass = null;
  const guard = (where, fn) => {
    try {
      return fn();
    } catch (e) {
      hg.reportException(where, e);
      return undefined;
    }
  };
  const jsonCopy = (v) => JSON.parse(JSON.stringify(v === undefined ? null : v));

  // Hit-testing as the original server does it: vertices mapped through the layer scale, an
  // inclusive bounding box, then an even-odd ray test; a node whose own playerIds exclude the
  // player is skipped with its subtree; the last hit in traversal order wins.
  const hitTest = (node, scale, x, y, playerId, clicked) => {
    if (node.playerIds.length > 0 && !node.playerIds.find((p) => p === playerId)) return clicked;
    if ((node.playerIds.length === 0 || node.playerIds.find((p) => p === playerId)) && node.coordinates2d !== undefined && node.coordinates2d !== null) {
      const xOffset = 100 - scale.x * 100;
      const yOffset = 100 - scale.y * 100;
      const vertices = [];
      for (const i in node.coordinates2d) {
        vertices.push([
          node.coordinates2d[i][0] * ((100 - xOffset) / 100) + xOffset / 2,
          node.coordinates2d[i][1] * ((100 - yOffset) / 100) + yOffset / 2,
        ]);
      }
      let inside = false;
      let minX = vertices[0][0], maxX = vertices[0][0], minY = vertices[0][1], maxY = vertices[0][1];
      for (let i = 1; i < vertices.length; i++) {
        minX = Math.min(vertices[i][0], minX);
        maxX = Math.max(vertices[i][0], maxX);
        minY = Math.min(vertices[i][1], minY);
        maxY = Math.max(vertices[i][1], maxY);
      }
      if (!(x < minX || x > maxX || y < minY || y > maxY)) {
        for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i++) {
          if ((vertices[i][1] > y) != (vertices[j][1] > y)
            && x < ((vertices[j][0] - vertices[i][0]) * (y - vertices[i][1])) / (vertices[j][1] - vertices[i][1]) + vertices[i][0]) {
            inside = !inside;
          }
        }
      }
      if (inside) clicked = node;
    }
    for (const i in node.children) clicked = hitTest(node.children[i].node, scale, x, y, playerId, clicked);
    return clicked;
  };

  const legacy = {
    load(entry) {
      GameClass = hg.require(entry);
      const meta = GameClass && GameClass.metadata ? GameClass.metadata() : {};
      return JSON.stringify(meta === undefined ? {} : meta);
    },
    start(saveData, bezelPercent) {
      if (bezelPercent) {
        bezel = bezelPercent;
        scale = { x: (100 - bezel.x) / 100, y: (100 - bezel.y) / 100 };
      }
      const addAsset = (key, asset) => new Promise((res, rej) => {
        if (!squisher) return rej(new Error('no squisher yet'));
        squisher.handleNewAsset(key, asset).then(res).catch(rej);
      });
      const saveGame = () => new Promise(() => {});
      const meta = GameClass.metadata ? GameClass.metadata() : {};
      // Services reach the network on the original. Without one, a request never answers.
      const services = {};
      for (const name of meta.services || []) {
        services[name] = name === 'contentGenerator' ? { requestContent: () => new Promise(() => {}) } : null;
      }
      game = new GameClass({ addAsset, saveGame, saveData, services });
      const squishjs = hg.makeRequire('/')('squish-' + meta.squishVersion);
      squisher = new squishjs.Squisher({ game, scale });
      squisher.addListener(() => {});
    },
    join(playerId, name, clientInfo) {
      guard('handleNewPlayer', () => game.handleNewPlayer && game.handleNewPlayer({ playerId, info: { name }, settings: {}, clientInfo: jsonCopy(clientInfo || {}) }));
      guard('join squish', () => squisher.squish(game.getLayers(), null, 'join', playerId));
    },
    // A spectator sees what everyone sees; the game is not told about it.
    spectate(playerId) {
      guard('spectator squish', () => squisher.squish(game.getLayers(), null, 'join', playerId));
    },
    leave(playerId) {
      guard('handlePlayerDisconnect', () => game.handlePlayerDisconnect && game.handlePlayerDisconnect(playerId));
    },
    key(playerId, key, down) {
      const handler = down ? 'handleKeyDown' : 'handleKeyUp';
      guard(handler, () => game[handler] && game[handler](playerId, key));
    },
    // The whole client message goes to the game, as the original server passes it.
    gamepad(playerId, message) {
      guard('handleGamepadInput', () => game.handleGamepadInput && game.handleGamepadInput(playerId, jsonCopy(message)));
    },
    playerUpdate(playerId, update) {
      guard('handlePlayerUpdate', () => game.handlePlayerUpdate && game.handlePlayerUpdate(playerId, jsonCopy(update)));
    },
    // Whether the game takes one more player (true when it does not say).
    canAddPlayer() {
      const answer = guard('canAddPlayer', () => (game.canAddPlayer ? game.canAddPlayer() : true));
      return answer === undefined ? true : !!answer;
    },
    mouseUp(playerId, x, y) {
      guard('handleMouseUp', () => game.handleMouseUp && game.handleMouseUp(playerId, { x, y }));
    },
    click(playerId, x, y) {
      if (x >= 100 || y >= 100) return null;
      return guard('click', () => {
        let hit = null;
        for (const i in game.getLayers()) {
          const layer = game.getLayers()[i];
          hit = hitTest(layer.root.node, layer.scale || scale, x, y, playerId, null) || hit;
        }
        if (!hit) return null;
        const real = game.findNode(hit.id);
        const hasHandler = !!(real && real.node.handleClick);
        // Inside the bezel band the raw point is passed; elsewhere it is mapped into the game plane.
        const inBand = x <= bezel.x / 2 || x >= 100 - bezel.x / 2 || y <= bezel.y / 2 || y >= 100 - bezel.y / 2;
        const gx = inBand ? x : (x - bezel.x / 2) * (1 / ((100 - bezel.x) / 100));
        const gy = inBand ? y : (y - bezel.y / 2) * (1 / ((100 - bezel.y) / 100));
        if (hasHandler) real.node.handleClick(playerId, gx, gy);
        return { nodeId: hit.id, hasHandler, found: !!real };
      });
    },
    input(playerId, nodeId, input) {
      return guard('input', () => {
        const node = game.findNode(nodeId);
        if (!node || !node.node.input) return null;
        if (node.node.input.type === 'file') node.node.input.oninput(playerId, Object.values(input));
        else node.node.input.oninput(playerId, input);
        return nodeId;
      });
    },
    hover(playerId, nodeId, on) {
      guard(on ? 'onHover' : 'offHover', () => {
        const node = game.findNode(nodeId);
        const fn = node && node.node[on ? 'onHover' : 'offHover'];
        if (fn) fn(playerId);
      });
    },
    // Re-squishes and broadcasts `n` times, as a state change would (benchmarks only).
    resquish(n) {
      for (let i = 0; i < n; i++) squisher.handleStateChange();
    },
    close() {
      guard('close', () => game && game.close && game.close());
    },
    unspectate() {},
  };

  // Games on squish 1.4.x run under the 2026 platform's session instead (platform.js).
  let platform = null;
  const api = {};
  for (const name of Object.keys(legacy)) {
    api[name] = (...args) => (platform && platform[name] ? platform[name](...args) : legacy[name](...args));
  }
  api.start = (saveData, bezelPercent, mode) => {
    if (mode !== 'platform') return legacy.start(saveData, bezelPercent);
    platform = require('./platform.js')(hg, { guard, jsonCopy });
    return platform.start(GameClass, GameClass.metadata ? GameClass.metadata() : {});
  };
  return api;
};
