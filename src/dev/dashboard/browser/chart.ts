/** The edit → ready chart: one point per update, oldest on the left. */
import type { UpdateRecord } from "../../events.js";
import { clock, el, ms, svg } from "./dom.js";

// The drawing's own coordinates; the SVG scales to the box's width.
const width = 1000;
const height = 200;
const left = 64;
const right = 12;
const top = 12;
const bottom = 22;

/** Draws `updates` into `box`, or says there are none yet. */
export function renderChart(updates: readonly UpdateRecord[], box: HTMLElement): void {
  if (updates.length === 0) {
    box.replaceChildren(
      el("p", { className: "empty", text: "No updates yet.", "data-testid": "latency-chart" }),
    );
    return;
  }
  const peak = Math.max(...updates.map((u) => u.totalMs), 1);
  // Round the scale up to 1, 2 or 5 times a power of ten so the axis labels read well.
  const power = 10 ** Math.floor(Math.log10(peak));
  const max = [1, 2, 5, 10].map((f) => f * power).find((v) => v >= peak) ?? 10 * power;
  const x = (i: number) =>
    left +
    (updates.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (updates.length - 1));
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const chart = svg("svg", {
    viewBox: "0 0 " + width + " " + height,
    role: "img",
    "data-testid": "latency-chart",
    "aria-label": "Edit to ready latency of the last " + updates.length + " updates",
  });
  for (const v of [0, max / 2, max]) {
    chart.append(svg("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    chart.append(svg("text", { class: "axis", x: left - 6, y: y(v) + 3, "text-anchor": "end" }, ms(v)));
  }
  chart.append(svg("text", { class: "axis", x: left, y: height - 6 }, "oldest"));
  chart.append(
    svg("text", { class: "axis", x: width - right, y: height - 6, "text-anchor": "end" }, "latest"),
  );
  const points = updates.map((u, i) => x(i) + "," + y(u.totalMs)).join(" ");
  chart.append(svg("polyline", { class: "trail", points }));
  for (const [i, u] of updates.entries()) {
    const point = svg("circle", {
      class: "pt " + u.kind + (u.ok ? "" : " failed"),
      cx: x(i),
      cy: y(u.totalMs),
      r: 4,
      "data-kind": u.kind,
      "data-service": u.service,
      "data-ms": u.totalMs,
    });
    point.append(svg("title", {}, u.service + " · " + u.kind + " · " + ms(u.totalMs) + " · " + clock(u.at)));
    chart.append(point);
  }
  const legend = el(
    "div",
    { className: "legend" },
    ["live", "rebuild"].map((k) => el("span", {}, [el("span", { className: "badge " + k, text: k })])),
  );
  box.replaceChildren(chart, legend);
}
