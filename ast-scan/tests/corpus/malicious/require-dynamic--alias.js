const r = require; r('fs');
