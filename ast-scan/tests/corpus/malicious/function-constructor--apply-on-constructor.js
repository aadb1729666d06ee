// apply with the code in an array.
(() => 0).constructor.apply(null, ['return 1'])();
