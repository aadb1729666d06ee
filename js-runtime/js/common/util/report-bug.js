'use strict';
// Bug reports go to the log: a game session has no network.
module.exports = (err) => console.error(err);
