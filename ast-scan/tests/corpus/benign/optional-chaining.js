const a = null;
const b = a?.b?.c ?? 3;
