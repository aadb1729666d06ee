'use strict';
const dictionary = require('./dictionary');

// Two random words joined by a space.
const generateName = () => `${dictionary.random()} ${dictionary.random()}`;

module.exports = { generateName };
