// The supervision dashboard works without scripts (the table headers are
// links that sort on the server, the charts' figures are tables); this
// sorts the league table in place and draws the charts with ECharts.
(function () {
  "use strict";

  // Every sortable cell carries its value in data-v, a number.
  function cellValue(row, i) {
    var cell = row.cells[i];
    var v = cell ? parseFloat(cell.getAttribute("data-v")) : NaN;
    return isNaN(v) ? -1 : v;
  }

  function sortable(table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var body = table.tBodies[0];
    var status = document.getElementById(table.getAttribute("data-status"));
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.setAttribute("data-pos", String(i)); });
    var original = rows.slice();
    // The first column is in the city's order: its data-v is the position.
    heads.forEach(function (th, i) {
      var link = th.querySelector("a");
      if (!link) { return; }
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        var now = th.getAttribute("aria-sort");
        var desc;
        if (now === "descending") { desc = false; }
        else if (now === "ascending") { desc = true; }
        else { desc = th.hasAttribute("data-desc"); }
        var key = th.getAttribute("data-key");
        var sorted = original.slice().sort(function (a, b) {
          var c = cellValue(a, i) - cellValue(b, i);
          if (desc) { c = -c; }
          if (c === 0) { c = cellValue(a, 0) - cellValue(b, 0); }
          return c;
        });
        sorted.forEach(function (r) { body.appendChild(r); });
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        if (status) {
          status.textContent = "已按“" + link.textContent.trim() + "”" + (desc ? "从高到低" : "从低到高") + "排列";
        }
        // The export and a reload keep the order chosen.
        var dir = desc ? "desc" : "asc";
        document.querySelectorAll("a[href^='/console/supervision/export.xlsx']").forEach(function (a) {
          var u = new URL(a.href, window.location.href);
          u.searchParams.set("sort", key);
          u.searchParams.set("dir", dir);
          a.href = u.pathname + u.search;
        });
        var here = new URL(window.location.href);
        here.searchParams.set("sort", key);
        here.searchParams.set("dir", dir);
        here.hash = "";
        window.history.replaceState(null, "", here.pathname + here.search);
      });
    });
  }

  function draw(el, s, horizontal) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    // Every month's label up to a year; beyond, every other one.
    var every = horizontal || s.labels.length <= 12 ? 0 : 1;
    var cat = { type: "category", data: s.labels, axisLabel: { color: "#1f2328", interval: every, rotate: horizontal ? 0 : 45 } };
    var val = { type: "value", minInterval: 1, axisLabel: { color: "#1f2328" } };
    chart.setOption({
      aria: { enabled: true },
      color: ["#a4161a"],
      tooltip: { trigger: "axis" },
      grid: { left: horizontal ? 110 : 50, right: 20, top: 20, bottom: horizontal ? 30 : 80 },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? Object.assign({}, cat, { inverse: true }) : val,
      series: [{ type: "bar", name: s.title, data: s.values }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-sortable]").forEach(sortable);
    var data = document.getElementById("chart-data");
    if (!data || !window.echarts) { return; }
    var charts;
    try { charts = JSON.parse(data.textContent); } catch (e) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      var s = charts[name];
      if (!s || !s.values || !s.values.length) { return; }
      el.classList.add("drawn");
      draw(el, s, name === "columns");
    });
  });
})();
