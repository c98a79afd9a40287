// Draws the weekly index charts with the vendored ECharts: the ranking's top accounts
// (data-index-chart="ranking") and an account's trend (data-index-chart="trend"). The data
// comes from Django's json_script, named by data-chart-source; nothing inline, as charts.js.
(function () {
  "use strict";
  if (!window.echarts) {
    return;
  }
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const css = getComputedStyle(document.documentElement);
  const brand = css.getPropertyValue("--brand").trim() || "#b42318";
  const base = { aria: { enabled: true }, textStyle: { fontFamily: css.fontFamily }, tooltip: { confine: true } };

  const draw = {
    ranking(data) {
      return Object.assign({}, base, {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
        series: [{ type: "bar", barMaxWidth: 16, itemStyle: { color: brand }, data: data.values }],
      });
    },
    trend(data) {
      return Object.assign({}, base, {
        tooltip: { trigger: "axis", confine: true },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.weeks, axisLabel: { formatter: (value) => value.slice(5) } },
        yAxis: { type: "value", min: 0 },
        series: [{ type: "line", connectNulls: false, itemStyle: { color: brand }, data: data.values }],
      });
    },
  };

  const drawn = [];
  document.querySelectorAll("[data-index-chart]").forEach((element) => {
    const holder = document.getElementById(element.dataset.chartSource);
    const kind = draw[element.dataset.indexChart];
    if (!holder || !kind) {
      return;
    }
    const data = JSON.parse(holder.textContent);
    if (data.names) {
      // One bar per account: the chart grows with the ranking instead of stretching two bars.
      element.style.height = Math.max(160, data.names.length * 28 + 40) + "px";
    }
    const chart = window.echarts.init(element, null, { locale: zh ? "ZH" : "EN", renderer: "canvas" });
    chart.setOption(kind(data));
    element.dataset.chartReady = "true";
    drawn.push(chart);
  });
  window.addEventListener("resize", () => drawn.forEach((chart) => chart.resize()));
})();
