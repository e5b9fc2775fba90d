/**
 * The page's script, embedded for the reason given in page.ts. Plain browser JavaScript with no
 * build step; it must not contain a backtick or a dollar-brace, which would end or interpolate
 * this template. It keeps a copy of the session, replaced by every `snapshot` (sent again on each
 * reconnect), and renders text only through textContent so log lines can never become markup.
 */
export const clientScript = String.raw`"use strict";
(() => {
  const maxUpdates = 200;
  const maxLogLines = 1000;
  const knownSteps = ["detect", "compile", "copy", "restart", "ready", "build", "deploy"];
  const svgNs = "http://www.w3.org/2000/svg";

  let project = "";
  let services = new Map();
  let updates = [];
  let logs = [];
  const requested = new Set();
  let pending = false;
  let pendingLogs = [];
  let logsReset = true;
  let stateDirty = true;
  let filterNames = "";

  const byId = (id) => document.getElementById(id);

  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(svgNs, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const ms = (value) => Math.round(value).toLocaleString("en") + " ms";
  const clock = (at) => new Date(at).toLocaleTimeString([], { hour12: false });
  const shortId = (id) => (id ? id.replace(/^sha256:/, "").slice(0, 12) : "—");
  const stepClass = (name) => "step-" + (knownSteps.includes(name) ? name : "other");

  function lastUpdates() {
    const last = new Map();
    for (const update of updates) last.set(update.service, update);
    return last;
  }

  // Services in the order the loop listed them, then any that only appear in updates or logs.
  function serviceNames() {
    const names = [...services.keys()];
    for (const item of [...updates, ...logs]) if (!names.includes(item.service)) names.push(item.service);
    return names;
  }

  // Rows are kept and updated in place: rebuilding them on every event would swallow a click on
  // a Rebuild button that lands while a busy service is logging.
  const rows = new Map();
  function serviceRow(name) {
    let row = rows.get(name);
    if (row) return row;
    const button = el("button", {
      type: "button", "data-testid": "rebuild", "data-service": name,
      title: "Build a new image for " + name + " and redeploy it",
    });
    button.addEventListener("click", () => rebuild(name));
    const status = el("span", { "data-testid": "status" });
    const image = el("td", { className: "mono" });
    const at = el("td", { className: "mono" });
    const tr = el("tr", { "data-testid": "service-row", "data-service": name }, [
      el("td", { text: name, className: "mono" }), el("td", {}, [status]), image, at, el("td", {}, [button]),
    ]);
    row = { tr, status, image, at, button };
    rows.set(name, row);
    return row;
  }

  function renderServices(last) {
    const wanted = [...services.values()].map((s) => {
      const row = serviceRow(s.service);
      const update = last.get(s.service);
      const at = s.lastUpdateAt !== undefined && s.lastUpdateAt !== null ? s.lastUpdateAt : update && update.at;
      row.status.className = "badge " + s.status;
      row.status.textContent = s.status;
      row.image.textContent = shortId(s.imageId);
      row.image.title = s.imageId || "";
      row.at.textContent = at ? clock(at) : "—";
      row.button.textContent = requested.has(s.service) ? "Requested" : "Rebuild";
      row.button.disabled = requested.has(s.service);
      return row.tr;
    });
    const body = byId("services");
    const current = [...body.children];
    if (current.length !== wanted.length || current.some((tr, i) => tr !== wanted[i])) body.replaceChildren(...wanted);
    byId("no-services").hidden = wanted.length > 0;
  }

  function renderErrors(last) {
    const blocks = [];
    for (const name of serviceNames()) {
      const state = services.get(name);
      const update = last.get(name);
      const messages = [];
      if (state && state.error) messages.push(state.error);
      if (update && !update.ok && update.error && !messages.includes(update.error)) messages.push(update.error);
      if (messages.length === 0) continue;
      const title = update && !update.ok ? name + ": " + update.kind + " update failed" : name + " failed";
      blocks.push(el("article", { className: "error" }, [
        el("h3", { text: title }),
        el("pre", { "data-testid": "error", "data-service": name, text: messages.join("\n\n") }),
      ]));
    }
    byId("errors").replaceChildren(...blocks);
    byId("errors").hidden = blocks.length === 0;
  }

  function renderUpdates(last) {
    const rows = [];
    const seen = new Set();
    for (const name of serviceNames()) {
      const update = last.get(name);
      if (!update) continue;
      const bar = el("div", {
        className: "bar", "data-testid": "update-bar", "data-service": name, "data-update": update.id,
      });
      for (const step of update.steps) {
        seen.add(knownSteps.includes(step.name) ? step.name : "other");
        const seg = el("div", {
          className: "seg " + stepClass(step.name), "data-testid": "update-step", "data-step": step.name,
          "data-ms": step.ms, title: step.name + ": " + ms(step.ms), text: step.name + " " + ms(step.ms),
        });
        // Width follows the step's share of the time; the minimum width keeps short steps readable.
        seg.style.flexGrow = String(Math.max(step.ms, 1));
        bar.append(seg);
      }
      const status = update.ok ? "" : " · failed";
      rows.push(el("div", { className: "update" }, [
        el("div", {}, [el("span", { className: "mono", text: name + " " }),
          el("span", { className: "badge " + update.kind, text: update.kind })]),
        bar,
        el("div", { className: "meta", text: ms(update.totalMs) + " edit → ready" + status + " · " +
          clock(update.at) + " · " + update.reason }),
      ]));
    }
    byId("updates").replaceChildren(...(rows.length ? rows : [el("p", { className: "empty", text: "No updates yet." })]));
    byId("legend").replaceChildren(...[...knownSteps, "other"].filter((s) => seen.has(s)).map((s) =>
      el("span", {}, [el("i", { className: stepClass(s) }), s])));
  }

  function renderChart() {
    const box = byId("latency");
    if (updates.length === 0) {
      box.replaceChildren(el("p", { className: "empty", text: "No updates yet.", "data-testid": "latency-chart" }));
      return;
    }
    const width = 1000, height = 200, left = 64, right = 12, top = 12, bottom = 22;
    const peak = Math.max(...updates.map((u) => u.totalMs), 1);
    // Round the scale up to 1, 2 or 5 times a power of ten so the axis labels read well.
    const power = Math.pow(10, Math.floor(Math.log10(peak)));
    const max = [1, 2, 5, 10].map((f) => f * power).find((v) => v >= peak);
    const x = (i) => left + (updates.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (updates.length - 1));
    const y = (v) => top + (1 - v / max) * (height - top - bottom);
    const chart = svg("svg", {
      viewBox: "0 0 " + width + " " + height, role: "img", "data-testid": "latency-chart",
      "aria-label": "Edit to ready latency of the last " + updates.length + " updates",
    });
    for (const v of [0, max / 2, max]) {
      chart.append(svg("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }));
      chart.append(svg("text", { class: "axis", x: left - 6, y: y(v) + 3, "text-anchor": "end" }, ms(v)));
    }
    chart.append(svg("text", { class: "axis", x: left, y: height - 6 }, "oldest"));
    chart.append(svg("text", { class: "axis", x: width - right, y: height - 6, "text-anchor": "end" }, "latest"));
    chart.append(svg("polyline", { class: "trail", points: updates.map((u, i) => x(i) + "," + y(u.totalMs)).join(" ") }));
    updates.forEach((u, i) => {
      const point = svg("circle", {
        class: "pt " + u.kind + (u.ok ? "" : " failed"), cx: x(i), cy: y(u.totalMs), r: 4,
        "data-kind": u.kind, "data-service": u.service, "data-ms": u.totalMs,
      });
      point.append(svg("title", {}, u.service + " · " + u.kind + " · " + ms(u.totalMs) + " · " + clock(u.at)));
      chart.append(point);
    });
    const legend = el("div", { className: "legend" }, ["live", "rebuild"].map((k) =>
      el("span", {}, [el("span", { className: "badge " + k, text: k })])));
    box.replaceChildren(chart, legend);
  }

  function logLine(log) {
    return el("div", { className: "line " + log.stream, "data-service": log.service }, [
      el("span", { className: "time", text: clock(log.at) }),
      el("span", { className: "svc", text: log.service }),
      el("span", { className: "text", text: log.line }),
    ]);
  }

  function renderLogs() {
    const pane = byId("logs");
    const filter = byId("log-filter");
    const names = serviceNames();
    // Only touch the options when the list changed, so an open drop-down is not closed under the reader.
    if (names.join("\n") !== filterNames) {
      filterNames = names.join("\n");
      const chosen = filter.value;
      const options = names.map((name) => el("option", { value: name, text: name }));
      filter.replaceChildren(el("option", { value: "", text: "all" }), ...options);
      filter.value = names.includes(chosen) ? chosen : "";
    }
    const show = (log) => filter.value === "" || log.service === filter.value;
    // Follow the tail only when the reader is already there, so scrolling back is not undone.
    const atEnd = pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 4;
    if (logsReset) pane.replaceChildren(...logs.filter(show).map(logLine));
    else pane.append(...pendingLogs.filter(show).map(logLine));
    while (pane.childElementCount > maxLogLines) pane.firstElementChild.remove();
    if (atEnd || logsReset) pane.scrollTop = pane.scrollHeight;
    logsReset = false;
    pendingLogs = [];
  }

  function render() {
    pending = false;
    document.title = (project ? project + " · " : "") + "dray dev";
    byId("project").textContent = project;
    // Log lines, the bulk of the events, only touch the log pane.
    if (stateDirty) {
      const last = lastUpdates();
      renderErrors(last);
      renderServices(last);
      renderUpdates(last);
      renderChart();
      stateDirty = false;
    }
    renderLogs();
  }

  // Bursts of events (a build's log output) are rendered once per frame, not once per event.
  function schedule(state) {
    if (state) stateDirty = true;
    if (pending) return;
    pending = true;
    requestAnimationFrame(render);
  }

  async function rebuild(service) {
    requested.add(service);
    schedule(true);
    const notice = byId("notice");
    try {
      const res = await fetch("/api/rebuild/" + encodeURIComponent(service), { method: "POST", headers: { "X-Dray": "1" } });
      notice.textContent = res.status === 202 ? "Rebuild of " + service + " requested." : (await res.text()).trim();
    } catch (error) {
      notice.textContent = "Rebuild request failed: " + error.message;
    }
    setTimeout(() => { requested.delete(service); schedule(true); }, 1500);
  }

  function connect() {
    const connection = byId("connection");
    const source = new EventSource("/events");
    source.addEventListener("open", () => { connection.textContent = "live"; connection.className = "connection live"; });
    source.addEventListener("error", () => {
      connection.textContent = "reconnecting…";
      connection.className = "connection lost";
      // The browser retries by itself unless the answer was not an event stream at all.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    });
    source.addEventListener("snapshot", (e) => {
      const snapshot = JSON.parse(e.data);
      project = snapshot.project;
      services = new Map(snapshot.services.map((s) => [s.service, s]));
      updates = snapshot.updates.slice(-maxUpdates);
      logs = snapshot.logs.slice(-maxLogLines);
      logsReset = true;
      schedule(true);
    });
    source.addEventListener("service", (e) => {
      const state = JSON.parse(e.data);
      services.set(state.service, state);
      schedule(true);
    });
    source.addEventListener("update", (e) => {
      updates.push(JSON.parse(e.data));
      if (updates.length > maxUpdates) updates.splice(0, updates.length - maxUpdates);
      schedule(true);
    });
    source.addEventListener("log", (e) => {
      const log = JSON.parse(e.data);
      logs.push(log);
      pendingLogs.push(log);
      if (logs.length > maxLogLines) logs.splice(0, logs.length - maxLogLines);
      schedule();
    });
  }

  byId("log-filter").addEventListener("change", () => { logsReset = true; schedule(); });
  connect();
})();
`;
