require.apply(null, ['fs']);
