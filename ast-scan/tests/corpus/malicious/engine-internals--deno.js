Deno.core.print('hello from the engine\n');
