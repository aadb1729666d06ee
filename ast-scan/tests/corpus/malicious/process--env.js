const secret = process.env.SECRET;
