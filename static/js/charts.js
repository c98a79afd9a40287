// Draws every chart of the site with the vendored ECharts (static/vendor/echarts). A chart is an
// element naming its kind — data-chart (the registry's), data-inspection-chart, data-campaign-chart
// or data-index-chart (the weekly index) — and data-chart-source, the id of the
// <script type="application/json"> that Django's json_script wrote; nothing inline, so a
// Content-Security-Policy of 'self' is enough. A drawn chart is marked data-chart-ready="true".
(function () {
  "use strict";
  if (!window.echarts) {
    return;
  }
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const css = getComputedStyle(document.documentElement);
  // The colours live in app.css (--status-*, --state-*, --severity-*, --grade-*, --outcome-*,
  // --step-*) so chips and charts agree.
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const brand = colour("--brand", "#b42318");
  const base = { aria: { enabled: true }, textStyle: { fontFamily: css.fontFamily }, tooltip: { confine: true } };
  const chart = (option) => Object.assign({}, base, option);

  // Bars stacked by series, one row per category; each series coloured by --<palette>-<key>.
  function stacked(data, palette, barMaxWidth = 18) {
    return chart({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.categories, inverse: true },
      series: data.series.map((series) => ({
        name: series.name,
        type: "bar",
        stack: "total",
        barMaxWidth,
        itemStyle: { color: colour(`--${palette}-${series.key}`, "#888") },
        data: series.data,
      })),
    });
  }

  // A ring of shares, each item coloured by --<palette>-<key>.
  function ring(items, palette, legend = { bottom: 0 }) {
    return chart({
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", confine: true },
      legend,
      series: [
        {
          type: "pie",
          radius: ["42%", "70%"],
          center: ["50%", "45%"],
          avoidLabelOverlap: true,
          label: { formatter: "{b} {c}" },
          data: items.map((item) => ({
            name: item.name,
            value: item.value,
            itemStyle: { color: colour(`--${palette}-${item.key}`, "#888") },
          })),
        },
      ],
    });
  }

  // A line over dates or weeks, labelled without the year.
  const dayAxis = (categories) => ({ type: "category", data: categories, axisLabel: { formatter: (value) => value.slice(5) } });

  const registry = {
    status: (data) => ring(data.status.items, "status", { bottom: 0, type: "scroll" }),
    platform: (data) => stacked(data.platform, "state", 22),
    department_kind: (data) => stacked(data.department_kind, "state", 22),
    activity: (data) =>
      chart({
        tooltip: { trigger: "axis", confine: true },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        xAxis: dayAxis(data.dates),
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
            itemStyle: { color: brand },
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
      }),
  };

  const inspection = {
    rules: (data) =>
      chart({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.rules.categories, inverse: true },
        series: [
          {
            type: "bar",
            barMaxWidth: 18,
            label: { show: true, position: "right" },
            data: data.rules.items.map((item) => ({
              value: item.value,
              itemStyle: { color: colour("--severity-" + item.key, "#888") },
            })),
          },
        ],
      }),
    departments: (data) => stacked(data.departments, "severity"),
    platforms: (data) => stacked(data.platforms, "severity"),
    grades: (data) => ring(data.grades.items, "grade"),
    trend: (data) =>
      chart({
        tooltip: { trigger: "axis", confine: true },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
        xAxis: dayAxis(data.trend.categories),
        yAxis: { type: "value", minInterval: 1 },
        series: data.trend.series.map((series) => ({
          name: series.name,
          type: "line",
          stack: "findings",
          areaStyle: { opacity: 0.25 },
          showSymbol: data.trend.categories.length < 20,
          itemStyle: { color: colour("--severity-" + series.key, "#888") },
          data: series.data,
        })),
      }),
  };

  const campaign = {
    funnel(data) {
      const top = Math.max(1, data.funnel[0].value);
      return chart({
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
    overall: (data) => ring(data.overall.filter((item) => item.value > 0), "outcome"),
    outcomes(data, element) {
      // One bar per unit: give each unit room, however many there are.
      element.style.height = Math.max(300, 26 * data.outcomes.categories.length + 80) + "px";
      return stacked(data.outcomes, "outcome");
    },
  };

  const index = {
    ranking(data, element) {
      // One bar per account: the chart grows with the ranking instead of stretching two bars.
      element.style.height = Math.max(160, data.names.length * 28 + 40) + "px";
      return chart({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
        series: [{ type: "bar", barMaxWidth: 16, itemStyle: { color: brand }, data: data.values }],
      });
    },
    trend: (data) =>
      chart({
        tooltip: { trigger: "axis", confine: true },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: dayAxis(data.weeks),
        yAxis: { type: "value", min: 0 },
        series: [{ type: "line", connectNulls: false, itemStyle: { color: brand }, data: data.values }],
      }),
  };

  // The attribute that names a chart's kind, and the kinds it may name.
  const families = [
    ["data-chart", registry],
    ["data-inspection-chart", inspection],
    ["data-campaign-chart", campaign],
    ["data-index-chart", index],
  ];

  const drawn = [];
  families.forEach(([attribute, kinds]) => {
    document.querySelectorAll(`[${attribute}]`).forEach((element) => {
      const holder = document.getElementById(element.dataset.chartSource);
      const draw = kinds[element.getAttribute(attribute)];
      if (!holder || !draw) {
        return;
      }
      const option = draw(JSON.parse(holder.textContent), element);
      const instance = window.echarts.init(element, null, { locale: zh ? "ZH" : "EN", renderer: "canvas" });
      instance.setOption(option);
      element.dataset.chartReady = "true";
      drawn.push(instance);
    });
  });
  window.addEventListener("resize", () => drawn.forEach((instance) => instance.resize()));
})();
