// The word inside a longer string is only text.
const hint = 'The constructor of the bridge left a note.';
const label = `constructor: ${hint.length}`;
