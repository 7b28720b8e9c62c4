// Draws every chart of a page from the JSON option in its data-chart attribute. The
// option is data (JSON.parse), never code. When all charts have finished drawing, the
// page's <html> gets data-charts-ready="true" (browser tests and PDF printing wait for it);
// a chart whose option fails to parse or to set keeps the page from saying so.
// Each chart that has drawn is marked data-drawn="true" (report --pdf names the page of
// one that has not).
// A page opened for printing (page.html#print, as plantrack report --pdf opens it) draws
// every chart without animation, whatever its option says: the first frame is the last.
(function () {
  'use strict';
  var printing = window.location.hash === '#print';
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
    var option = JSON.parse(el.getAttribute('data-chart'));
    if (printing) { option.animation = false; }
    // A chart counts once its option is set and ECharts says it has finished drawing it.
    // Without animation "finished" comes within setOption; an instance whose option
    // failed finishes too, empty, on a later frame, and must not count.
    var set = false, drawn = false, done = false;
    function count() { if (set && drawn && !done) { done = true; el.setAttribute('data-drawn', 'true'); finished(); } }
    chart.on('finished', function () { drawn = true; count(); });
    chart.setOption(option);
    set = true;
    count();
  });
  function resize() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener('resize', resize);
  window.addEventListener('beforeprint', resize);
})();
