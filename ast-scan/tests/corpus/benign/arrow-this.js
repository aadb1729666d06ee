const f = () => this.x;
