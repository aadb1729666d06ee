// Game and ViewableGame: the base classes game authors extend.
'use strict';

module.exports = (nodes, ShapeUtils, Colors) => {
  class Game {
    constructor() {
      this.listeners = new Set();
      this.intervals = [];
      this.timeouts = [];
      this.playerInfoMap = {};
    }

    addStateListener(listener) {
      this.listeners.add(listener);
    }

    removeStateListener(listener) {
      // The original calls a method Sets do not have.
      this.listeners.remove(listener);
    }

    findNode(id) {
      let found = null;
      if (this.getLayers) {
        const layers = this.getLayers();
        for (const i in layers) {
          found = layers[i].root.findChild(id);
          if (found) break;
        }
      }
      return found;
    }

    // Tracked timers: close() clears them.
    setInterval(fn, ms) {
      const id = setInterval(fn, ms);
      this.intervals.push(id);
      return id;
    }

    setTimeout(fn, ms) {
      const id = setTimeout(fn, ms);
      this.timeouts.push(id);
      return id;
    }

    close() {
      for (const i in this.timeouts) clearTimeout(this.timeouts[i]);
      for (const i in this.intervals) clearInterval(this.intervals[i]);
    }
  }

  const plane = (size) => new nodes.GameNode.Shape({ shapeType: nodes.Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, size, size) });

  class ViewableGame extends Game {
    constructor(planeSize) {
      super();
      this.planeSize = planeSize;
      this.plane = plane(this.planeSize);
      this.fakeRoot = new nodes.GameNode.Shape({
        shapeType: nodes.Shapes.POLYGON,
        coordinates2d: ShapeUtils.rectangle(0, 0, 0, 0),
        fill: Colors.COLORS.BLACK,
      });
      this.layers = [{ root: this.fakeRoot }];
    }

    updatePlaneSize(s) {
      this.planeSize = s;
      this.plane.node.coordinates2d = ShapeUtils.rectangle(0, 0, s, s);
    }

    getLayers() { return this.layers; }
    getPlane() { return this.plane; }
    getPlaneSize() { return this.planeSize; }
    getViewRoot() { return this.fakeRoot; }
  }

  return { Game, ViewableGame };
};
