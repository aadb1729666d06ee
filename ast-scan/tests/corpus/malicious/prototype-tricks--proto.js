const p = ({}).__proto__;
