// A static helper reached through this.constructor inside a class.
class Board {
    static size() { return 8; }
    cells() { return this.constructor.size() * this.constructor.size(); }
}
module.exports = Board;
