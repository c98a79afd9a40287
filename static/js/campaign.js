// Draws a campaign's charts with the vendored ECharts (static/vendor/echarts): the funnel of
// its steps and its outcomes by unit. The data comes from the <script type="application/json">
// that Django's json_script wrote (id in data-chart-source); nothing inline, so a
// Content-Security-Policy of 'self' is enough.
(function () {
  "use strict";
  if (!window.echarts) {
    return;
  }
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const css = getComputedStyle(document.documentElement);
  // The colours live in app.css (--outcome-*, --step-*) so chips and charts agree.
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const base = { aria: { enabled: true }, textStyle: { fontFamily: css.fontFamily }, tooltip: { confine: true } };

  function source(element) {
    const holder = document.getElementById(element.dataset.chartSource);
    return holder ? JSON.parse(holder.textContent) : null;
  }

  const draw = {
    funnel(data) {
      const top = Math.max(1, data.funnel[0].value);
      return Object.assign({}, base, {
        tooltip: { trigger: "item", confine: true, formatter: (p) => `${p.name}: ${p.value} (${Math.round((1000 * p.value) / top) / 10}%)` },
        series: [
          {
            type: "funnel",
            sort: "none",
            min: 0,
            max: top,
            left: "4%",
            width: "62%",
            gap: 2,
            label: { position: "right", formatter: "{b} {c}" },
            labelLine: { show: true },
            data: data.funnel.map((step) => ({
              name: step.name,
              value: step.value,
              itemStyle: { color: colour("--step-" + step.key, "#888") },
            })),
          },
        ],
      });
    },
    overall(data) {
      return Object.assign({}, base, {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", confine: true },
        legend: { bottom: 0 },
        series: [
          {
            type: "pie",
            radius: ["42%", "70%"],
            center: ["50%", "45%"],
            label: { formatter: "{b} {c}" },
            data: data.overall
              .filter((item) => item.value > 0)
              .map((item) => ({
                name: item.name,
                value: item.value,
                itemStyle: { color: colour("--outcome-" + item.key, "#888") },
              })),
          },
        ],
      });
    },
    outcomes(data, element) {
      // One bar per unit: give each unit room, however many there are.
      element.style.height = Math.max(300, 26 * data.outcomes.categories.length + 80) + "px";
      return Object.assign({}, base, {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.outcomes.categories, inverse: true },
        series: data.outcomes.series.map((series) => ({
          name: series.name,
          type: "bar",
          stack: "total",
          barMaxWidth: 18,
          itemStyle: { color: colour("--outcome-" + series.key, "#888") },
          data: series.data,
        })),
      });
    },
  };

  const drawn = [];
  document.querySelectorAll("[data-campaign-chart]").forEach((element) => {
    const data = source(element);
    const kind = element.dataset.campaignChart;
    const option = data && draw[kind] && draw[kind](data, element);
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
