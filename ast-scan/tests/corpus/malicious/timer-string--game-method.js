class G { start() { this.setTimeout('boom()', 5); } }
