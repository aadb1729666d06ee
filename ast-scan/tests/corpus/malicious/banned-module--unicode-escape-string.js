const fs = require('\u0066s');
