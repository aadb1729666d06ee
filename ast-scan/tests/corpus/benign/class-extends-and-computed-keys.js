// A class with an extends clause and computed keys, inside a class method (strict).
const KEY = 'speed';
class Base { constructor() { this.x = 0; } }
class Runner extends Base {
  [KEY]() { return 3; }
  static [`make${'One'}`]() { return new Runner(); }
}
module.exports = Runner;
