process.binding('fs');
