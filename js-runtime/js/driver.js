// Drives one game the way the original session server does, minus its own chrome layers:
// construct, squish, join/leave, route input, hit-test clicks on the live tree.
'use strict';

module.exports = (hg) => {
  let game = null;
  let squisher = null;
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

  // Even-odd ray test inside the bounding box, on vertices mapped through the layer scale.
  const inside = (coords, scale, x, y) => {
    const pts = coords.map((c) => [c[0] * scale.x, c[1] * scale.y]);
    if (!pts.length) return false;
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const [px, py] of pts) {
      minX = Math.min(minX, px); maxX = Math.max(maxX, px);
      minY = Math.min(minY, py); maxY = Math.max(maxY, py);
    }
    if (x < minX || x > maxX || y < minY || y > maxY) return false;
    let hit = false;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i];
      const [xj, yj] = pts[j];
      if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
    }
    return hit;
  };
  const findHit = (wrapper, scale, x, y, playerId, found) => {
    const n = wrapper.node;
    if (n.playerIds && n.playerIds.length && !n.playerIds.includes(playerId)) return found;
    if (n.coordinates2d !== undefined && n.coordinates2d !== null && inside(n.coordinates2d, scale, x, y)) found = n;
    for (const child of n.children) found = findHit(child, scale, x, y, playerId, found);
    return found;
  };

  return {
    load(entry) {
      GameClass = hg.require(entry);
      const meta = GameClass && GameClass.metadata ? GameClass.metadata() : {};
      return JSON.stringify(meta === undefined ? {} : meta);
    },
    start(saveData) {
      const addAsset = (key, asset) => new Promise((res, rej) => {
        if (!squisher) return rej(new Error('no squisher yet'));
        squisher.handleNewAsset(key, asset).then(res).catch(rej);
      });
      const saveGame = () => new Promise(() => {});
      game = new GameClass({ addAsset, saveGame, saveData, services: {} });
      const meta = GameClass.metadata ? GameClass.metadata() : {};
      const squishjs = hg.makeRequire('/')('squish-' + meta.squishVersion);
      squisher = new squishjs.Squisher({ game });
      squisher.addListener(() => {});
    },
    join(playerId, name, clientInfo) {
      guard('handleNewPlayer', () => game.handleNewPlayer && game.handleNewPlayer({ playerId, info: { name }, settings: {}, clientInfo: jsonCopy(clientInfo || {}) }));
      guard('join squish', () => squisher.squish(game.getLayers(), null, 'join', playerId));
    },
    leave(playerId) {
      guard('handlePlayerDisconnect', () => game.handlePlayerDisconnect && game.handlePlayerDisconnect(playerId));
    },
    key(playerId, key, down) {
      const handler = down ? 'handleKeyDown' : 'handleKeyUp';
      guard(handler, () => game[handler] && game[handler](playerId, key));
    },
    mouseUp(playerId, x, y) {
      guard('handleMouseUp', () => game.handleMouseUp && game.handleMouseUp(playerId, { x, y }));
    },
    click(playerId, x, y) {
      if (x >= 100 || y >= 100) return null;
      return guard('click', () => {
        let hit = null;
        const layers = game.getLayers();
        for (const i in layers) {
          const layer = layers[i];
          hit = findHit(layer.root, layer.scale || { x: 1, y: 1 }, x, y, playerId, hit);
        }
        if (!hit) return null;
        const real = game.findNode(hit.id);
        const hasHandler = !!(real && real.node.handleClick);
        if (hasHandler) real.node.handleClick(playerId, x, y);
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
    close() {
      guard('close', () => game && game.close && game.close());
    },
  };
};
