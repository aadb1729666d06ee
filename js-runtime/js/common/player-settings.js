'use strict';
module.exports = { SOUND: 'SOUND' };
