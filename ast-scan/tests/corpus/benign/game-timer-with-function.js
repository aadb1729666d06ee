class G { start() { this.setTimeout(() => this.go(), 5); } go() {} }
