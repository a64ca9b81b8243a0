/* Small hand-written SVG charts for the stream-health dashboard: no library, no network.
 * Every chart replaces the children of its container; labels go in through textContent only,
 * because dead-letter reasons and connector ids come from outside the hub. */
"use strict";
(function (global) {
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#2467b3", "#2e9d5b", "#8e44ad", "#e0a01b", "#16a085", "#d35400", "#d64541", "#7f8c8d"];

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function frame(container, width, height, label) {
    container.replaceChildren();
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
    container.appendChild(root);
    return root;
  }

  function empty(container, message) {
    const div = document.createElement("div");
    div.className = "empty";
    div.textContent = message;
    container.replaceChildren(div);
  }

  /* Labels longer than their column lose their middle, so topic and partition both stay readable. */
  function clip(text, width) {
    const max = Math.max(Math.floor(width / 6.5), 8);
    if (text.length <= max) return text;
    const head = Math.ceil((max - 1) / 2), tail = Math.floor((max - 1) / 2);
    return text.slice(0, head) + "…" + text.slice(text.length - tail);
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const step = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
    return 10 * step;
  }

  function fmt(n) {
    if (n === null || n === undefined) return "–";
    if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + "M";
    if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + "k";
    return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1);
  }

  /* series: [{name, points: [[t, y], ...]}]; t in epoch seconds. */
  function lineChart(container, series, opts) {
    const o = Object.assign({ width: 900, height: 220, label: "line chart" }, opts);
    if (container.clientWidth > 0) o.width = container.clientWidth;  // 1:1 with the page: text keeps its size
    const all = series.flatMap((s) => s.points);
    if (all.length === 0) return empty(container, o.empty || "collecting samples…");
    const m = { l: 48, r: 12, t: 10, b: 24 };
    const root = frame(container, o.width, o.height, o.label);
    const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]));
    const yMax = niceMax(Math.max(...all.map((p) => p[1])));
    const x = (t) => m.l + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (o.width - m.l - m.r);
    const y = (v) => o.height - m.b - (v / yMax) * (o.height - m.t - m.b);
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4;
      root.appendChild(svg("line", { class: "grid", x1: m.l, x2: o.width - m.r, y1: y(v), y2: y(v) }));
      root.appendChild(svg("text", { class: "muted", x: m.l - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)));
    }
    root.appendChild(svg("line", { class: "axis", x1: m.l, x2: o.width - m.r, y1: y(0), y2: y(0) }));
    const span = Math.round(t1 - t0);
    root.appendChild(svg("text", { class: "muted", x: m.l, y: o.height - 6 }, `-${span}s`));
    root.appendChild(svg("text", { class: "muted", x: o.width - m.r, y: o.height - 6, "text-anchor": "end" }, "now"));
    series.forEach((s, i) => {
      if (s.points.length === 0) return;
      const d = s.points.map((p, j) => `${j ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
      const path = svg("path", { d, fill: "none", stroke: s.color || PALETTE[i % PALETTE.length], "stroke-width": 2 });
      path.setAttribute("data-series", s.name);
      root.appendChild(path);
    });
  }

  /* rows: [{label, value, color?, note?}] drawn as horizontal bars, values printed at the end. */
  function barChart(container, rows, opts) {
    const o = Object.assign({ width: 520, row: 22, labelWidth: 170, label: "bar chart" }, opts);
    if (container.clientWidth > 0) o.width = container.clientWidth;  // 1:1 with the page: text keeps its size
    if (rows.length === 0) return empty(container, o.empty || "nothing to show");
    const height = rows.length * o.row + 8;
    const root = frame(container, o.width, height, o.label);
    const max = niceMax(Math.max(...rows.map((r) => r.value)));
    const room = o.width - o.labelWidth - 60;
    rows.forEach((r, i) => {
      const top = 4 + i * o.row;
      const g = svg("g", { "data-label": r.label, "data-value": r.value });
      g.appendChild(svg("text", { x: o.labelWidth - 8, y: top + o.row / 2 + 4, "text-anchor": "end" },
        clip(r.label, o.labelWidth - 12)));
      const w = Math.max((r.value / max) * room, r.value > 0 ? 2 : 0);
      g.appendChild(svg("rect", { x: o.labelWidth, y: top + 3, width: w.toFixed(1), height: o.row - 6, rx: 3,
        fill: r.color || o.color || PALETTE[0] }));
      g.appendChild(svg("text", { class: "value", x: o.labelWidth + w + 6, y: top + o.row / 2 + 4 }, fmt(r.value)));
      g.appendChild(svg("title", {}, r.note || `${r.label}: ${r.value}`));
      root.appendChild(g);
    });
  }

  /* columns: [{label, value}] drawn as vertical bars. */
  function columnChart(container, columns, opts) {
    const o = Object.assign({ width: 520, height: 200, label: "column chart" }, opts);
    if (container.clientWidth > 0) o.width = container.clientWidth;  // 1:1 with the page: text keeps its size
    if (columns.length === 0) return empty(container, o.empty || "nothing to show");
    const m = { l: 36, r: 8, t: 16, b: 26 };
    const root = frame(container, o.width, o.height, o.label);
    const max = niceMax(Math.max(...columns.map((c) => c.value)));
    const slot = (o.width - m.l - m.r) / columns.length;
    const y = (v) => o.height - m.b - (v / max) * (o.height - m.t - m.b);
    root.appendChild(svg("line", { class: "axis", x1: m.l, x2: o.width - m.r, y1: y(0), y2: y(0) }));
    root.appendChild(svg("text", { class: "muted", x: m.l - 6, y: y(max) + 4, "text-anchor": "end" }, fmt(max)));
    columns.forEach((c, i) => {
      const g = svg("g", { "data-label": c.label, "data-value": c.value });
      const w = Math.min(slot * 0.6, 60), cx = m.l + slot * i + slot / 2;
      g.appendChild(svg("rect", { x: cx - w / 2, y: y(c.value), width: w, height: y(0) - y(c.value), rx: 3,
        fill: c.color || o.color || PALETTE[0] }));
      g.appendChild(svg("text", { class: "value", x: cx, y: y(c.value) - 4, "text-anchor": "middle" }, fmt(c.value)));
      g.appendChild(svg("text", { class: "muted", x: cx, y: o.height - 8, "text-anchor": "middle" }, c.label));
      root.appendChild(g);
    });
  }

  global.LaporCharts = { lineChart, barChart, columnChart, fmt, PALETTE };
})(window);
