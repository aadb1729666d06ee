const table = __v8x_snapshot_intrinsics;
const F = table[4];
