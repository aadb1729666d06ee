module.require('fs');
