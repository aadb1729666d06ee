window[['a'].join('')]();
