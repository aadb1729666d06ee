// Asking whether something has a constructor reaches nothing.
module.exports = (v) => !v.constructor || typeof v.constructor === 'undefined';
