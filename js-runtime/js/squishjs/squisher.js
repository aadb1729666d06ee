// The Squisher as games and the driver see it. It walks nothing itself: at every squish it turns
// the layers into plain data (the fields the wire carries) and hands them to Rust, which encodes
// each node and decides which players receive it. JavaScript never builds frame bytes.
'use strict';

// The host's cap on a game's tick rate (ticks per second).
const MAX_TICK_RATE = 120;

module.exports = (v, hg) => {
  const FIELDS = ['id', 'color', 'playerIds', 'pos', 'fill', 'size', 'text', 'asset', 'effects', 'handleClick', 'border', 'subType', 'input', 'coordinates2d'];
  // JSON has no NaN or Infinity; they travel as strings the Rust side reads back.
  const num = (v) => {
    const n = Number(v);
    return Number.isFinite(n) ? n : String(n);
  };
  const numbers = (a) => Array.from(a, num);
  const point = (p) => (p && typeof p === 'object' ? { x: num(p.x), y: num(p.y) } : p);
  const kindOf = (wrapper) => {
    const name = wrapper && wrapper.constructor && wrapper.constructor.name;
    return name === 'Shape' || name === 'Text' || name === 'Asset' ? name : 'plain';
  };
  // Only what `squish()` reads, converted the way its arithmetic converts it (ToNumber).
  const plainValue = (field, value) => {
    switch (field) {
      case 'color': case 'fill': case 'playerIds': return numbers(value);
      case 'pos': case 'size': return point(value);
      case 'handleClick': return !!value;
      case 'border': case 'subType': case 'id': return num(value);
      case 'input': return { type: value.type };
      case 'coordinates2d': return Array.from(value, (c) => (Array.isArray(c) ? numbers(c) : num(c)));
      case 'text': {
        const t = { text: value.text, x: num(value.x), y: num(value.y), size: num(value.size) };
        if (value.color) t.color = numbers(value.color);
        if (value.align) t.align = value.align;
        if (value.font) t.font = value.font;
        return t;
      }
      case 'asset': {
        const key = Object.keys(value)[0];
        if (key === undefined) return {};
        const info = value[key];
        const out = { pos: point(info.pos), size: point(info.size), startTime: num(info.startTime) };
        // 1.4.x writes `cropX || 0`; a falsy value is the same as none.
        for (const edge of ['cropLeft', 'cropTop', 'cropRight', 'cropBottom']) if (info[edge]) out[edge] = num(info[edge]);
        return { [key]: out };
      }
      case 'effects': {
        if (!value.shadow) return {};
        const s = { color: value.shadow.color ? numbers(value.shadow.color) : undefined, blur: num(value.shadow.blur) };
        return { shadow: s };
      }
      default: return value;
    }
  };

  class Squisher {
    constructor({ game, scale, customBottomLayer, customTopLayer, onAssetUpdate }) {
      this.ids = new Set();
      this.game = game;
      this.gameMetadata = game.constructor.metadata && game.constructor.metadata();
      this.assets = {};
      this.playerSettings = {};
      this.customBottomLayer = customBottomLayer;
      this.customTopLayer = customTopLayer;
      this.initialize();
      this.onAssetUpdate = onAssetUpdate;
      this.playerFrames = {};
      this.listeners = new Set();
      // 1.4.x coalesces: a state change marks the scene dirty and one flush per turn of the event
      // loop squishes it (see handleStateChange).
      this._dirty = false;
      this._flushScheduled = false;
      this.scale = scale || { x: 1, y: 1 };
      this.state = this.squish(this.game.getLayers(), null, v.coalesce ? 'keep' : 'silent');
      if (this.game.tick) {
        const rate = this.gameMetadata && this.gameMetadata.tickRate ? this.gameMetadata.tickRate : 60;
        // At most MAX_TICK_RATE ticks a second, whatever the game asks (real games ask 10 to 100).
        setInterval(this.game.tick.bind(this.game), 1000 / Math.min(rate, MAX_TICK_RATE));
      }
    }

    // The asset table squishes consult. Downloading asset bytes is the host's business.
    initialize() {
      const meta = this.game.constructor.metadata && this.game.constructor.metadata();
      const gameAssets = meta && meta.assets ? meta.assets : {};
      this.gameAssets = gameAssets;
      if (this.customBottomLayer && this.customBottomLayer.assets) Object.assign(gameAssets, this.customBottomLayer.assets);
      if (this.customTopLayer && this.customTopLayer.assets) Object.assign(gameAssets, this.customTopLayer.assets);
      if (this.game.getAssets && this.game.getAssets()) Object.assign(gameAssets, this.game.getAssets());
      return new Promise(() => {});
    }

    // 0: no asset or not audio, 1: audio, 2: the asset key is not registered (the original throws
    // when it gets to check it).
    assetClass(node) {
      // 1.4.x does not filter, but spectators' frames still leave audio out.
      if (!(v.audioRule || v.coalesce) || !node.asset) return 0;
      const entry = this.gameAssets[Object.keys(node.asset)[0]];
      const info = entry && entry.info;
      if (!info) return 2;
      return info.type === 'audio' ? 1 : 0;
    }

    plain(wrapper, audio) {
      const node = wrapper.node;
      if (!node.listeners.has(this)) wrapper.addListener(this);
      const out = { kind: kindOf(wrapper) };
      for (const field of FIELDS) {
        if (field in node) {
          const value = node[field];
          if (value !== undefined && value !== null) out[field] = plainValue(field, value);
        }
      }
      // The Squisher's player filter is a Set: the id 1 and the id '1' are two members there (a
      // node under both is appended twice), though the wire and the frame keys see one number.
      const ids = node.playerIds;
      if (ids && typeof ids !== 'string' && ids.length && Array.prototype.some.call(ids, (id) => typeof id === 'string')) {
        this.stringIds.push([audio.length, Array.from(ids, (id) => typeof id === 'string')]);
      }
      audio.push(this.assetClass(node));
      const children = node.children;
      if (children.length) {
        out.children = [];
        for (let i = 0; i < children.length; i++) out.children.push(this.plain(children[i], audio));
      }
      return out;
    }

    squish(layers, scale = null, cause = 'silent', target = -1) {
      if (!layers) return [];
      const plainLayers = [];
      for (const i in layers) {
        const layer = layers[i];
        const layerScale = layer.scale ? { x: this.scale.x * layer.scale.x, y: this.scale.y * layer.scale.y } : this.scale;
        const audio = [];
        this.stringIds = [];
        const root = this.plain(layer.root, audio);
        const s = scale || layerScale;
        const plainLayer = { root, scale: { x: num(s.x), y: num(s.y) }, audio };
        if (this.stringIds.length) plainLayer.stringIds = this.stringIds;
        plainLayers.push(plainLayer);
      }
      // One string crosses into Rust: far cheaper than converting the object graph value by value.
      const outcome = JSON.parse(hg.opState(JSON.stringify(plainLayers), cause, target));
      if (outcome.error) throw new TypeError(outcome.error);
      // The 1.0.0-1.0.4 self-check built a throw-away node (and drew an id) per frame it re-read.
      for (let i = 0; i < outcome.draws; i++) Math.random();
      return [];
    }

    handleStateChange() {
      if (this.listeners.size === 0) return;
      if (!v.coalesce) {
        this.state = this.squish(this.game.getLayers(), null, 'state');
        this.broadcast();
        return;
      }
      this._dirty = true;
      if (this._flushScheduled) return;
      this._flushScheduled = true;
      hg.setImmediate(() => this.flush());
    }

    // 1.4.x: squish and broadcast what is pending, now; nothing when nothing is.
    flush() {
      this._flushScheduled = false;
      if (!this._dirty) return;
      this._dirty = false;
      // The squish is kept on the Rust side; the session decides who gets it and when.
      this.state = this.squish(this.game.getLayers(), null, 'keep');
      this.broadcast();
    }

    addListener(onEvent) {
      const listener = { onEvent, remove: () => this.removeListener(listener) };
      this.listeners.add(listener);
    }

    removeListener(listener) {
      this.listeners.delete(listener);
    }

    broadcast() {
      for (const listener of this.listeners) listener.onEvent(this.state);
    }

    getPlayerFrame(playerId) {
      return this.playerFrames[playerId];
    }

    handleNewAsset() {
      return new Promise((resolve) => { this.initialize(); resolve(); });
    }

    updatePlayerSettings(playerId, settings) {
      this.playerSettings[playerId] = Object.assign(this.playerSettings[playerId] || {}, settings);
    }
  }

  return Squisher;
};
