// Draws every chart of a page from the JSON option in its data-chart attribute. The
// option is data (JSON.parse), never code. When all charts have finished drawing, the
// page's <html> gets data-charts-ready="true" (browser tests and PDF printing wait for it).
(function () {
  'use strict';
  var els = Array.prototype.slice.call(document.querySelectorAll('[data-chart]'));
  var root = document.documentElement;
  var pending = els.length;
  var charts = [];
  function finished() {
    pending -= 1;
    if (pending === 0) { root.setAttribute('data-charts-ready', 'true'); }
  }
  if (pending === 0) { root.setAttribute('data-charts-ready', 'true'); }
  els.forEach(function (el) {
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    charts.push(chart);
    var done = false;
    chart.on('finished', function () { if (!done) { done = true; finished(); } });
    chart.setOption(JSON.parse(el.getAttribute('data-chart')));
  });
  function resize() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener('resize', resize);
  window.addEventListener('beforeprint', resize);
})();
