// An old-style constructor function: `this` is only read and written with fixed names.
function Point(x, y) {
    this.x = x;
    this.y = y;
}
Point.prototype.length = function () {
    return Math.sqrt(this.x * this.x + this.y * this.y);
};
