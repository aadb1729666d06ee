class A {}
const name = new A().constructor.name;
