const name = `__v8x_${'snapshot'}_intrinsics`;
