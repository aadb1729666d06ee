class G { static metadata() { return {}; } meta() { return this.constructor.metadata(); } }
