process.mainModule.require('fs');
