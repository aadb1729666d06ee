// Our implementation of the squishjs API, one instance per version profile (see nodes.js for the
// profile fields). `require('squish-NNN')` returns what this builds for NNN's profile.
'use strict';

const makeNodes = require('./nodes.js');
const makeUtils = require('./utils.js');
const makeGame = require('./game.js');
const makeSquisher = require('./squisher.js');
const palette = require('./palette.json');

module.exports = (profile, hg) => {
  const nodes = makeNodes(profile);
  const utils = makeUtils(nodes, palette, profile);
  const { Game, ViewableGame } = makeGame(nodes, utils.ShapeUtils, utils.Colors);
  const Squisher = makeSquisher(profile, hg);

  // Asset data comes from the host's asset source; inside the isolate there is no network.
  class Asset {
    constructor(info, data = null) {
      this.info = info;
      if (data) this.data = data;
    }

    getData() {
      // Without a network a download never answers, as on the original with no connection.
      if (this.data) return Promise.resolve(this.data);
      return new Promise(() => {});
    }
  }

  return {
    Game,
    ViewableGame,
    GameNode: nodes.GameNode,
    gameNode: nodes.gameNode,
    Colors: utils.Colors,
    Shapes: nodes.Shapes,
    ShapeUtils: utils.ShapeUtils,
    ViewUtils: utils.ViewUtils,
    GeometryUtils: utils.GeometryUtils,
    Physics: utils.Physics,
    Asset,
    Squisher,
    subtypes: nodes.SUBTYPES,
  };
};
