class P { constructor(x) { this.x = x; } }
