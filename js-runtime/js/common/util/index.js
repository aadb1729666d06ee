// What the original common/util exports. `dictionary` is undefined there (it destructures a module
// that exports the dictionary itself); games that need it require ./dictionary directly.
'use strict';

const { ExpiringSet } = require('./cache');
const { generateName } = require('./name-generator');
const { charadesWord } = require('./charades-generator');
const animations = require('./animations');
const reportBug = require('./report-bug');

module.exports = { generateName, ExpiringSet, charadesWord, dictionary: undefined, animations, reportBug };
