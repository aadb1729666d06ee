// Game nodes: the inner node object (what the wire encodes), the wrapper classes games build
// (Shape, Text, Asset) and their tree operations. `v` is the version profile:
//   v.proxy    - 1.0.4/1.0.5: every property write on an inner node signals a state change
//   v.idMax    - ids drawn as floor(Math.random() * idMax) when a node gets none
//   v.hover    - 1.0.7+: nodes carry onHover/offHover
//   v.notifyOnTreeOps - 1.0.6+: wrapper tree operations signal once themselves
'use strict';

module.exports = (v) => {
  const SUBTYPES = { ASSET: 1, TEXT: 2, SHAPE_2D_POLYGON: 3, SHAPE_2D_CIRCLE: 4, SHAPE_2D_LINE: 5 };
  const Shapes = { CIRCLE: 1, POLYGON: 2, LINE: 3 };
  const shapeToSubtype = { [Shapes.CIRCLE]: SUBTYPES.SHAPE_2D_CIRCLE, [Shapes.POLYGON]: SUBTYPES.SHAPE_2D_POLYGON, [Shapes.LINE]: SUBTYPES.SHAPE_2D_LINE };
  const subtypeToShape = { [SUBTYPES.SHAPE_2D_CIRCLE]: Shapes.CIRCLE, [SUBTYPES.SHAPE_2D_POLYGON]: Shapes.POLYGON, [SUBTYPES.SHAPE_2D_LINE]: Shapes.LINE };

  class InternalGameNode {
    constructor(color, onClick, coordinates2d, border, fill, text, asset, playerIds = [], effects = null, input = null, subType = null, id = null, onHover, offHover) {
      // The id is drawn first: it is the one Math.random() call of a node's construction.
      this.id = id ? Number(id) : Math.floor(Math.random() * v.idMax);
      this.children = [];
      this.color = color;
      this.handleClick = onClick;
      this.coordinates2d = coordinates2d;
      this.border = border;
      this.fill = fill;
      this.text = text;
      this.asset = asset;
      this.effects = effects;
      this.input = input;
      this.listeners = new Set();
      if (playerIds && !(playerIds instanceof Array)) playerIds = [playerIds];
      this.playerIds = playerIds || [];
      this.subType = subType;
      if (v.hover) {
        this.onHover = onHover;
        this.offHover = offHover;
      }
    }

    addChild(node) {
      this.children.push(node);
      if (v.proxy) this.onStateChange();
    }

    addChildren(...nodes) {
      for (const n of nodes) this.addChild(n);
    }

    removeChild(nodeId) {
      const at = this.children.findIndex((child) => child.node.id == nodeId);
      if (at >= 0) {
        if (this._animation) clearInterval(this._animation);
        this.children.splice(at, 1);
        // Re-assigning the id is how the proxy versions get told about the removal.
        if (v.proxy) this.id = this.id;
      }
    }

    addListener(listener) {
      this.listeners.add(listener);
    }

    onStateChange() {
      for (const listener of this.listeners) listener.handleStateChange(this);
    }

    clearChildren(excludedNodeIds) {
      if (!excludedNodeIds) this.children = [];
      else this.children = this.children.filter((child) => excludedNodeIds.includes(child.id));
    }
  }

  // 1.0.4/1.0.5: the inner node sits behind a revocable proxy whose define/delete traps signal.
  const observed = (node) => {
    const signal = node.onStateChange.bind(node);
    const { proxy, revoke } = Proxy.revocable(node, {
      defineProperty(target, key, descriptor) {
        const done = Reflect.defineProperty(target, key, descriptor);
        signal();
        return done;
      },
      deleteProperty(target, key) {
        const done = Reflect.deleteProperty(target, key);
        signal();
        return done;
      },
    });
    node.free = () => revoke();
    return proxy;
  };

  const gameNode = (color, onClick, coordinates2d, border, fill, text, asset, playerIds, effects, input, subtype, id, onHover, offHover) => {
    const node = new InternalGameNode(color, onClick, coordinates2d, border, fill, text, asset, playerIds, effects, input, subtype, id, onHover, offHover);
    return v.proxy ? observed(node) : node;
  };

  class BaseNode {
    constructor({ color, onClick, coordinates2d, border, fill, textInfo, assetInfo, playerIds, effects, input, subtype, node, id, onHover, offHover }) {
      this.node = node || gameNode(color, onClick, coordinates2d, border, fill, textInfo, assetInfo, playerIds, effects, input, subtype, id, onHover, offHover);
      this.id = this.node.id;
    }

    showFor(playerId) {
      const ids = this.node.playerIds;
      const mine = ids.indexOf(playerId);
      const zero = ids.indexOf(0);
      if (zero >= 0) {
        ids.splice(zero, 1);
        this.node.playerIds = ids;
      }
      if (mine < 0) {
        ids.push(playerId);
        this.node.playerIds = ids;
      }
    }

    hideFor(playerId) {
      const at = this.node.playerIds.indexOf(playerId);
      if (at >= 0) {
        let ids = this.node.playerIds;
        ids.splice(at, 1);
        // An empty list would mean "everyone": [0] means "no real player".
        if (ids.length == 0) ids = [0];
        this.node.playerIds = ids;
      }
    }

    addChild(child, notify = true) {
      this.node.addChild(child);
      if (v.notifyOnTreeOps && notify) this.node.onStateChange();
    }

    addChildren(...nodes) {
      if (!v.notifyOnTreeOps) {
        for (const n of nodes) this.addChild(n);
        return;
      }
      for (const n of nodes) this.addChild(n, false);
      this.node.onStateChange();
    }

    getChildren() {
      return this.node.children;
    }

    removeChild(nodeId, notify = true) {
      this.node.removeChild(nodeId);
      if (v.notifyOnTreeOps && notify) this.node.onStateChange();
    }

    addListener(listener) {
      this.node.addListener(listener);
    }

    findChild(id) {
      return this.findChildHelper(id, this);
    }

    // Depth-first; the first match wins, and the search stops descending once one is found.
    findChildHelper(nodeId, node, found = null) {
      if (node.node.id === nodeId) found = node;
      for (const i in node.node.children) {
        if (found) return found;
        found = this.findChildHelper(nodeId, node.node.children[i], found);
      }
      return found;
    }

    clearChildren(excludedNodeIds) {
      this.node.clearChildren(excludedNodeIds);
      if (v.notifyOnTreeOps) this.node.onStateChange();
    }

    clone() {
      throw new Error('Clone not implemented');
    }
  }

  if (v.proxy) {
    BaseNode.prototype.free = function free() {
      this.node.free();
    };
  }
  if (v.update) {
    BaseNode.prototype.update = function update(params = {}) {
      if (params) {
        if (params.fill) this.node.fill = params.fill;
        // The original refers to an undeclared variable here, so passing coordinates2d throws.
        if (params.coordinates2d) throw new ReferenceError('coordinates2d is not defined');
      }
      this.node.onStateChange();
    };
  }

  class Shape extends BaseNode {
    constructor({ color, onClick, shapeType, coordinates2d, border, fill, playerIds, effects, input, node, id, onHover, offHover }) {
      if ((!coordinates2d || !shapeType) && !node) throw new Error('Shape requires coordinates2d and shapeType');
      super({ color, onClick, coordinates2d, border, fill, playerIds, effects, input, node, subtype: shapeToSubtype[shapeType], id, onHover, offHover });
    }

    clone({ handleClick, input, id }) {
      return new Shape({
        color: this.node.color,
        onClick: handleClick,
        shapeType: subtypeToShape[this.node.subType],
        coordinates2d: this.node.coordinates2d,
        border: this.node.border,
        fill: this.node.fill,
        playerIds: this.node.playerIds,
        effects: this.node.effects,
        input,
        id: Number(id) || null,
      });
    }
  }

  class Text extends BaseNode {
    constructor({ textInfo, playerIds, input, node, id }) {
      if (!textInfo && !node) throw new Error('Text node requires textInfo');
      super({ textInfo, playerIds, input, node, subtype: SUBTYPES.TEXT, id });
    }

    clone({ id }) {
      return new Text({ textInfo: Object.assign({}, this.node.text), playerIds: this.playerIds?.slice(), id: id || null });
    }
  }

  class Asset extends BaseNode {
    constructor({ assetInfo, onClick, coordinates2d, playerIds, effects, node, id, onHover, offHover }) {
      if (!assetInfo && !node) throw new Error('Asset node requires assetInfo');
      super({ assetInfo, onClick, coordinates2d, playerIds, effects, node, subtype: SUBTYPES.ASSET, id, onHover, offHover });
    }

    clone({ id }) {
      return new Asset({ assetInfo: Object.assign({}, this.node.asset), playerIds: this.playerIds?.slice(), id: id || null });
    }
  }

  return { InternalGameNode, BaseNode, gameNode, GameNode: { Shape, Text, Asset }, SUBTYPES, Shapes };
};
