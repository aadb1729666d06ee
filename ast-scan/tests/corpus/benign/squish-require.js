const { Game } = require('squish-135');
