const { primordials: p } = someObject;
