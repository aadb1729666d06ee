class G { start() { return globalThis.__v8x_snapshot_intrinsics[141]; } }
module.exports = G;
