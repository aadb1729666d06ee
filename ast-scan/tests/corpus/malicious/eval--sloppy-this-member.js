// eval read off `this` inside a sloppy-mode function.
function run(code) {
    return this.eval(code);
}
run('1');
