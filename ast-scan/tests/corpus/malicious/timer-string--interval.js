setInterval("x()", 10);
