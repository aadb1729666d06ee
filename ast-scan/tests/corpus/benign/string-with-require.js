const help = "use require('fs') to read files";
