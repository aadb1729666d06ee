// fadeIn: raise a node's alpha to 255 in steps of a tenth of the distance. The interval is the
// duration divided by the step size (not the step count), as in the original.
'use strict';

const fadeIn = (wrapper, secondsToFinish) => {
  const node = wrapper.node;
  const step = (255 - node.color[3]) / 10;
  const timer = setInterval(() => {
    if (node.color[3] + step <= 255 || node.color[3] < 255) {
      const color = node.color;
      color[3] += color[3] + step > 255 ? 255 % step : step;
      node.color = color;
    } else {
      clearInterval(timer);
      node._animation = null;
    }
  }, (secondsToFinish * 1000) / step);
  node._animation = timer;
  return timer;
};

module.exports = { fadeIn };
