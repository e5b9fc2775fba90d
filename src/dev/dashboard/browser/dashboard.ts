/**
 * The dashboard page's script, the entry module the page loads as /dashboard.js. It follows the
 * server's event stream into a `View` and renders it, at most once per animation frame.
 */
import type { DevStreamEvents } from "../../events.js";
import { renderChart } from "./chart.js";
import { byId } from "./dom.js";
import { createLogPane } from "./logs.js";
import { createServiceTable, renderErrors, renderUpdates } from "./panels.js";
import { lastUpdates, serviceNames, type View } from "./view.js";

const maxUpdates = 200;
const maxLogLines = 1000;

const view: View = { project: "", services: new Map(), updates: [], logs: [], requested: new Set() };

const page = {
  project: byId("project", HTMLElement),
  connection: byId("connection", HTMLElement),
  errors: byId("errors", HTMLElement),
  updates: byId("updates", HTMLElement),
  legend: byId("legend", HTMLElement),
  latency: byId("latency", HTMLElement),
  notice: byId("notice", HTMLElement),
};
const serviceTable = createServiceTable(
  byId("services", HTMLElement),
  byId("no-services", HTMLElement),
  rebuild,
);
const logFilter = byId("log-filter", HTMLSelectElement);
const logPane = createLogPane(byId("logs", HTMLElement), logFilter, maxLogLines);

let pending = false;
let stateDirty = true;

function render(): void {
  pending = false;
  document.title = (view.project ? view.project + " · " : "") + "dray dev";
  page.project.textContent = view.project;
  // Log lines, the bulk of the events, only touch the log pane.
  if (stateDirty) {
    const last = lastUpdates(view);
    renderErrors(view, last, page.errors);
    serviceTable.render(view, last);
    renderUpdates(view, last, page.updates, page.legend);
    renderChart(view.updates, page.latency);
    stateDirty = false;
  }
  logPane.render(view.logs, serviceNames(view));
}

/** Bursts of events (a build's log output) are rendered once per frame, not once per event. */
function schedule(state = false): void {
  if (state) stateDirty = true;
  if (pending) return;
  pending = true;
  requestAnimationFrame(render);
}

async function rebuild(service: string): Promise<void> {
  view.requested.add(service);
  schedule(true);
  try {
    const res = await fetch("/api/rebuild/" + encodeURIComponent(service), {
      method: "POST",
      headers: { "X-Dray": "1" },
    });
    page.notice.textContent =
      res.status === 202 ? "Rebuild of " + service + " requested." : (await res.text()).trim();
  } catch (error) {
    page.notice.textContent = "Rebuild request failed: " + (error as Error).message;
  }
  setTimeout(() => {
    view.requested.delete(service);
    schedule(true);
  }, 1500);
}

/** Calls `handler` with the parsed data of every `name` event of `source`. */
function on<K extends keyof DevStreamEvents>(
  source: EventSource,
  name: K,
  handler: (data: DevStreamEvents[K]) => void,
): void {
  source.addEventListener(name, (event) => {
    // The server is this page's own origin, and writes each name's data as DevStreamEvents says.
    handler(JSON.parse((event as MessageEvent<string>).data) as DevStreamEvents[K]);
  });
}

function connect(): void {
  const source = new EventSource("/events");
  source.addEventListener("open", () => {
    page.connection.textContent = "live";
    page.connection.className = "connection live";
  });
  source.addEventListener("error", () => {
    page.connection.textContent = "reconnecting…";
    page.connection.className = "connection lost";
    // The browser retries by itself unless the answer was not an event stream at all.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
  on(source, "snapshot", (snapshot) => {
    view.project = snapshot.project;
    view.services = new Map(snapshot.services.map((s) => [s.service, s]));
    view.updates = snapshot.updates.slice(-maxUpdates);
    view.logs = snapshot.logs.slice(-maxLogLines);
    logPane.reset();
    schedule(true);
  });
  on(source, "service", (state) => {
    view.services.set(state.service, state);
    schedule(true);
  });
  on(source, "update", (update) => {
    view.updates.push(update);
    if (view.updates.length > maxUpdates) view.updates.splice(0, view.updates.length - maxUpdates);
    schedule(true);
  });
  on(source, "log", (log) => {
    view.logs.push(log);
    logPane.add(log);
    if (view.logs.length > maxLogLines) view.logs.splice(0, view.logs.length - maxLogLines);
    schedule();
  });
}

logFilter.addEventListener("change", () => {
  logPane.reset();
  schedule();
});
connect();
