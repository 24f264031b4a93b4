// The quarterly bulletin's charts, drawn with ECharts from the data in the
// page's <script type="application/json" id="bulletin-data"> block. The
// tables beside them carry the same figures for readers without scripts
// and for screen readers, so the charts are hidden from assistive
// technology.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("bulletin-data");
    if (!block || !window.echarts) { return; }
    var data;
    try { data = JSON.parse(block.textContent); } catch (e) { return; }
    if (!data || !data.units || !data.units.length) { return; }
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var font = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
    var charts = [];

    function draw(id, option) {
      var el = document.getElementById(id);
      if (!el) { return; }
      // The figure shows once there is something to draw in it.
      if (el.parentNode && el.parentNode.classList) { el.parentNode.classList.add("drawn"); }
      el.style.height = Math.max(240, data.units.length * 30 + 90) + "px";
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      option.animation = !still;
      option.textStyle = { fontFamily: font, color: "#1f2328" };
      option.grid = { left: 8, right: 40, top: 36, bottom: 8, containLabel: true };
      option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
      chart.setOption(option);
      charts.push(chart);
    }

    var names = { type: "category", data: data.units, inverse: true, axisLabel: { width: 180, overflow: "truncate" } };

    draw("chart-score", {
      xAxis: { type: "value", min: 0, max: 100, name: "分" },
      yAxis: names,
      series: [{
        type: "bar", name: "综合得分", data: data.scores, itemStyle: { color: "#a4161a" },
        label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(1); } }
      }]
    });

    var colours = ["#0b57b0", "#116329", "#8a4b00"];
    draw("chart-volume", {
      legend: { top: 0 },
      xAxis: { type: "value", name: "条", minInterval: 1 },
      yAxis: names,
      series: data.months.map(function (m, i) {
        return { type: "bar", stack: "volume", name: m, data: data.volume[i], itemStyle: { color: colours[i % colours.length] } };
      })
    });

    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  });
})();
