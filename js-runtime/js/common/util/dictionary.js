// A small word list with random picks (one Math.random draw per pick).
'use strict';

const words = require('./words.json');

module.exports = {
  length: () => words.length,
  get: (index) => words[index],
  random: () => words[Math.floor(Math.random() * words.length)],
};
