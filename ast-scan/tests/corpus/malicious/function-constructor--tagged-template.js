Function`return 1`;
