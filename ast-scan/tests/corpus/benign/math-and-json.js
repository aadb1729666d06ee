const r = Math.floor(Math.random() * 10);
JSON.parse(JSON.stringify({ r }));
