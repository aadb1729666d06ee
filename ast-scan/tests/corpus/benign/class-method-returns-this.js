// Fluent methods of a class: class bodies are strict.
class Builder {
    set(v) {
        this.v = v;
        return this;
    }
    later() {
        return setTimeout(function () { return this; }.bind(this), 10);
    }
}
module.exports = Builder;
