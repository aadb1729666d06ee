// A getter hands out the constructor; the call site reads an innocent-looking property.
const tools = {
    get make() {
        return (() => 0).constructor;
    },
};
tools.make('return 1')();
