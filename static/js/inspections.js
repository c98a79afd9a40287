// The inspection pages' behaviour: the report's and the dashboard's charts are drawn with the
// vendored ECharts (a run page follows its run through app.js). Each chart is an
// element with data-inspection-chart="<kind>" and data-chart-source="<id of a json_script>".
// Nothing inline, so a Content-Security-Policy of 'self' is enough.
(function () {
  "use strict";

  if (!window.echarts) {
    return;
  }
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const css = getComputedStyle(document.documentElement);
  // The colours live in app.css (--severity-*, --grade-*) so chips and charts agree.
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const base = { aria: { enabled: true }, textStyle: { fontFamily: css.fontFamily } };

  function source(element) {
    const holder = document.getElementById(element.dataset.chartSource);
    return holder ? JSON.parse(holder.textContent) : null;
  }

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
        barMaxWidth: 18,
        itemStyle: { color: colour("--severity-" + series.key, "#888") },
        data: series.data,
      })),
    });
  }

  const draw = {
    rules(data) {
      const rules = data.rules;
      return Object.assign({}, base, {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: rules.categories, inverse: true },
        series: [
          {
            type: "bar",
            barMaxWidth: 18,
            label: { show: true, position: "right" },
            data: rules.items.map((item) => ({
              value: item.value,
              itemStyle: { color: colour("--severity-" + item.key, "#888") },
            })),
          },
        ],
      });
    },
    departments(data) {
      return stacked(data.departments);
    },
    platforms(data) {
      return stacked(data.platforms);
    },
    grades(data) {
      return Object.assign({}, base, {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", confine: true },
        legend: { bottom: 0 },
        series: [
          {
            type: "pie",
            radius: ["42%", "70%"],
            center: ["50%", "45%"],
            label: { formatter: "{b} {c}" },
            data: data.grades.items.map((item) => ({
              name: item.name,
              value: item.value,
              itemStyle: { color: colour("--grade-" + item.key, "#888") },
            })),
          },
        ],
      });
    },
    trend(data) {
      const trend = data.trend;
      return Object.assign({}, base, {
        tooltip: { trigger: "axis", confine: true },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
        xAxis: { type: "category", data: trend.categories, axisLabel: { formatter: (value) => value.slice(5) } },
        yAxis: { type: "value", minInterval: 1 },
        series: trend.series.map((series) => ({
          name: series.name,
          type: "line",
          stack: "findings",
          areaStyle: { opacity: 0.25 },
          showSymbol: trend.categories.length < 20,
          itemStyle: { color: colour("--severity-" + series.key, "#888") },
          data: series.data,
        })),
      });
    },
  };

  const drawn = [];
  document.querySelectorAll("[data-inspection-chart]").forEach((element) => {
    const data = source(element);
    const option = data && draw[element.dataset.inspectionChart] && draw[element.dataset.inspectionChart](data);
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
