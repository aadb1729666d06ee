// Asking whether a browser global exists reaches nothing.
const inBrowser = typeof window !== 'undefined';
