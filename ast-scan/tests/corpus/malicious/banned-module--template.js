const net = require(`net`);
