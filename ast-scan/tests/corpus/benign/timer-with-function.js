setTimeout(() => {}, 10);
setInterval(function () {}, 100);
