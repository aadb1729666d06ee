// Colors, shape helpers, geometry, views and the little physics helper.
'use strict';

module.exports = (nodes, palette, profile = {}) => {
  const COLORS = palette;
  const colorKeys = Object.keys(COLORS);
  // Excluding every color at once leaves WHITE; names are matched exactly.
  const withoutExcluded = (keys, excluded) => {
    if (keys.length === excluded.length) return ['WHITE'];
    return keys.filter((k) => !excluded.some((e) => k === e));
  };
  const randomColor = (exclusionList = []) => {
    const keys = exclusionList.length ? withoutExcluded(colorKeys, exclusionList) : colorKeys;
    return COLORS[keys[Math.floor(Math.random() * keys.length)]];
  };
  const Colors = { COLORS, randomColor };

  const ShapeUtils = {
    rectangle: (x, y, w, h) => [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]],
    triangle: (x1, y1, x2, y2, x3, y3) => [[x1, y1], [x2, y2], [x3, y3], [x1, y1]],
  };

  // Axis-aligned overlap of the first three vertices' box; text stands in with its (x, y).
  const verticesOf = (node) => {
    const t = node.node.text;
    return node.node.coordinates2d || [[t.x, t.y], [t.x, t.y], [t.x, t.y], [t.x, t.y], [t.x, t.y]];
  };
  const collide = (node, other, filter, hits = []) => {
    if (!filter || (filter(node) && node.node.id !== other.node.id)) {
      const a = verticesOf(node);
      const b = other.node.coordinates2d;
      const apart = b[1][0] < a[0][0] || a[1][0] < b[0][0];
      const aboveOrBelow = a[0][1] > b[2][1] || b[0][1] > a[2][1];
      if (!(apart || aboveOrBelow)) hits.push(node);
    }
    for (const i in node.node.children) collide(node.node.children[i], other, filter, hits);
    return hits;
  };
  const GeometryUtils = { checkCollisions: (root, node, filter = null) => collide(root, node, filter) };

  const clamp100 = (n) => (n < 0 ? 0 : n > 100 ? 100 : n);
  const getView = (plane, view, playerIds, translation = {}, scale = {}) => {
    const hits = GeometryUtils.checkCollisions(plane, { node: { coordinates2d: ShapeUtils.rectangle(view.x, view.y, view.w, view.h) } },
      (node) => node.node.id !== plane.node.id);
    const root = new nodes.GameNode.Shape({ shapeType: nodes.Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 0, 0), fill: COLORS.BLACK });
    const converted = [];
    for (const node of hits) {
      const moved = [];
      // The same vertices without the clamp to the view (1.4.x measures an asset's crop on them).
      const raw = [];
      for (const i in verticesOf(node)) {
        const [x, y] = verticesOf(node)[i];
        let tx = (scale.x || 1) * Math.max(Math.min(x - view.x, 100), 0);
        let ty = (scale.y || 1) * Math.max(Math.min(y - view.y, 100), 0);
        let rx = (scale.x || 1) * (x - view.x);
        let ry = (scale.y || 1) * (y - view.y);
        if (translation.filter ? translation.filter(node) : true) {
          if (translation.x) { tx += translation.x; rx += translation.x; }
          if (translation.y) { ty += translation.y; ry += translation.y; }
        }
        moved.push([clamp100(tx), clamp100(ty)]);
        raw.push([rx, ry]);
      }
      const handleClick = node.node.handleClick === null || node.node.handleClick === undefined ? null : node.node.handleClick;
      // 1.4.x clones keep the source's id (no random draw per clone, stable ids across frames).
      const copy = profile.viewCrop ? node.clone({ handleClick, id: node.node.id }) : node.clone({ handleClick });
      if (moved.length) {
        if (copy.node.text) {
          copy.node.text.x = moved[0][0];
          copy.node.text.y = moved[0][1];
        }
        copy.node.coordinates2d = moved;
        if (copy.node.asset) {
          const [p1, p2, p3] = copy.node.coordinates2d;
          const info = Object.values(copy.node.asset)[0];
          info.pos.x = p1[0];
          info.pos.y = p1[1];
          info.size.x = p2[0] - p1[0];
          info.size.y = p3[1] - p2[1];
          if (profile.viewCrop) {
            // The part of the image outside the view, in percent of its full span per edge.
            const fullWidth = raw[2][0] - raw[0][0];
            const fullHeight = raw[2][1] - raw[0][1];
            if (fullWidth > 0) {
              info.cropLeft = Math.max(0, (0 - raw[0][0]) / fullWidth) * 100;
              info.cropRight = Math.max(0, (raw[2][0] - 100) / fullWidth) * 100;
            }
            if (fullHeight > 0) {
              info.cropTop = Math.max(0, (0 - raw[0][1]) / fullHeight) * 100;
              info.cropBottom = Math.max(0, (raw[2][1] - 100) / fullHeight) * 100;
            }
          }
        }
      }
      copy.node.playerIds = playerIds || [];
      converted.push(copy);
    }
    for (const c of converted) root.addChild(c);
    return root;
  };
  const ViewUtils = { getView };

  // Straight-line path in steps of (xVel, yVel) until it leaves [0, endX] × [0, endY]; the last
  // point is clamped to the edge unless it repeats the previous point's x or y.
  const Physics = {
    getPath: (startX, startY, xVel, yVel, endX = 100, endY = 100) => {
      const path = [];
      for (;;) {
        const [cx, cy] = path.length ? path[path.length - 1] : [startX, startY];
        const nx = cx + xVel;
        const ny = cy + yVel;
        if (nx < 0 || nx > endX || ny < 0 || ny > endY) {
          const ex = nx < 0 ? 0 : nx > endX ? endX : nx;
          const ey = ny < 0 ? 0 : ny > endY ? endY : ny;
          const last = path[path.length - 1];
          if (!(last[0] === ex || last[1] === ey)) path.push([ex, ey]);
          return path;
        }
        path.push([nx, ny]);
      }
    },
  };

  return { Colors, ShapeUtils, GeometryUtils, ViewUtils, Physics };
};
