function run(core) { return core['o' + 'ps']; }
