'use strict';
module.exports = { Deck: require('./Deck') };
