require.call(null, 'fs');
