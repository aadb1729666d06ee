const players = {};
const id = 3;
players[id] = { score: 0 };
