const __bootstrap = 1;
