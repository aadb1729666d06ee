const { core } = Deno;
