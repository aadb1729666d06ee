// A game's own `core` and `ops` used as any object: not the engine's.
const core = { score: 0, update(d) { this.score += d; } };
core.update(2);
const ops = [1, 2, 3].map((x) => x * 2);
const op = ops.length;
class G {
  constructor() { this.core = core; this.operations = { op_count: 0 }; }
  tick() { this.core.update(1); this.operations.op_count += 1; return this.core.score; }
}
const label = 'Deno is a runtime; __bootstrap is a word in a sentence';
module.exports = G;
