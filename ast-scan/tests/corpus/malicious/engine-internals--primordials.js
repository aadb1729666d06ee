class G { start() { return __bootstrap.primordials.Function; } }
