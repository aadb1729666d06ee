'use strict';
const WORDS = ['to', 'do'];

// Resolves to one word of a tiny list after the same microtask hops as the original.
const charadesWord = async () => {
  const length = await Promise.resolve(WORDS.length);
  return WORDS[Math.floor(Math.random() * length)];
};

module.exports = { charadesWord };
