let let = ;
