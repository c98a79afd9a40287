// Draws the registry's charts with the vendored ECharts (static/vendor/echarts).
// Each chart is an element with data-chart="<kind>" and data-chart-source="<id>", the id of
// the <script type="application/json"> that Django's json_script wrote; nothing inline, so
// a Content-Security-Policy of 'self' is enough.
(function () {
  "use strict";
  if (!window.echarts) {
    return;
  }
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const css = getComputedStyle(document.documentElement);
  // The colours live in app.css (--status-*, --state-*) so chips and charts agree.
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const font = css.fontFamily;

  function source(element) {
    const holder = document.getElementById(element.dataset.chartSource);
    return holder ? JSON.parse(holder.textContent) : null;
  }

  const base = {
    aria: { enabled: true },
    textStyle: { fontFamily: font },
    tooltip: { confine: true },
  };

  function stacked(data) {
    return Object.assign({}, base, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.categories, inverse: true },
      series: data.series.map((series) => ({
        name: series.name,
        type: "bar",
        stack: "total",
        barMaxWidth: 22,
        itemStyle: { color: colour("--state-" + series.key, "#888") },
        data: series.data,
      })),
    });
  }

  const draw = {
    status(data) {
      return Object.assign({}, base, {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", confine: true },
        legend: { bottom: 0, type: "scroll" },
        series: [
          {
            type: "pie",
            radius: ["42%", "70%"],
            center: ["50%", "45%"],
            avoidLabelOverlap: true,
            label: { formatter: "{b} {c}" },
            data: data.status.items.map((item) => ({
              name: item.name,
              value: item.value,
              itemStyle: { color: colour("--status-" + item.key, "#888") },
            })),
          },
        ],
      });
    },
    platform(data) {
      return stacked(data.platform);
    },
    department_kind(data) {
      return stacked(data.department_kind);
    },
    activity(data) {
      return Object.assign({}, base, {
        tooltip: { trigger: "axis", confine: true },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.dates, axisLabel: { formatter: (value) => value.slice(5) } },
        yAxis: [
          { type: "value", name: data.labels.followers, scale: true, splitLine: { lineStyle: { type: "dashed" } } },
          { type: "value", name: data.labels.posts, minInterval: 1, splitLine: { show: false } },
        ],
        series: [
          {
            name: data.labels.followers,
            type: "line",
            yAxisIndex: 0,
            showSymbol: false,
            connectNulls: false,
            itemStyle: { color: colour("--brand", "#b42318") },
            data: data.followers,
          },
          {
            name: data.labels.posts,
            type: "bar",
            yAxisIndex: 1,
            barMaxWidth: 8,
            itemStyle: { color: colour("--state-pending", "#175cd3"), opacity: 0.55 },
            data: data.posts,
          },
        ],
      });
    },
  };

  const drawn = [];
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const data = source(element);
    const option = data && draw[element.dataset.chart] && draw[element.dataset.chart](data);
    if (!option) {
      return;
    }
    const chart = window.echarts.init(element, null, { locale: zh ? "ZH" : "EN", renderer: "canvas" });
    chart.setOption(option);
    element.dataset.chartReady = "true";
    drawn.push(chart);
  });
  window.addEventListener("resize", () => drawn.forEach((chart) => chart.resize()));
})();
