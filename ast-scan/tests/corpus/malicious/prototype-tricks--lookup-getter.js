// The legacy accessor API reaches a getter without reading the property.
const get = ({}).__lookupGetter__(['__pro', 'to__'].join(''));
get.call(() => 0);
