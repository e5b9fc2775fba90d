/** The services table, the error panel and the steps of each service's last update. */
import type { UpdateRecord } from "../../events.js";
import { clock, el, knownSteps, ms, shortId, stepClass } from "./dom.js";
import { serviceNames, type View } from "./view.js";

/** The services table, with a Rebuild button per service. */
export interface ServiceTable {
  render(view: View, last: ReadonlyMap<string, UpdateRecord>): void;
}

interface ServiceRow {
  readonly tr: HTMLTableRowElement;
  readonly status: HTMLSpanElement;
  readonly image: HTMLTableCellElement;
  readonly at: HTMLTableCellElement;
  readonly button: HTMLButtonElement;
}

/** Fills `body` with a row per service and shows `empty` when there is none. */
export function createServiceTable(
  body: HTMLElement,
  empty: HTMLElement,
  onRebuild: (service: string) => void,
): ServiceTable {
  // Rows are kept and updated in place: rebuilding them on every event would swallow a click on
  // a Rebuild button that lands while a busy service is logging.
  const rows = new Map<string, ServiceRow>();

  function serviceRow(name: string): ServiceRow {
    const existing = rows.get(name);
    if (existing) return existing;
    const button = el("button", {
      type: "button",
      "data-testid": "rebuild",
      "data-service": name,
      title: "Build a new image for " + name + " and redeploy it",
    });
    button.addEventListener("click", () => onRebuild(name));
    const status = el("span", { "data-testid": "status" });
    const image = el("td", { className: "mono" });
    const at = el("td", { className: "mono" });
    const tr = el("tr", { "data-testid": "service-row", "data-service": name }, [
      el("td", { text: name, className: "mono" }),
      el("td", {}, [status]),
      image,
      at,
      el("td", {}, [button]),
    ]);
    const row = { tr, status, image, at, button };
    rows.set(name, row);
    return row;
  }

  return {
    render(view, last) {
      const wanted = [...view.services.values()].map((s) => {
        const row = serviceRow(s.service);
        const at = s.lastUpdateAt ?? last.get(s.service)?.at;
        row.status.className = "badge " + s.status;
        row.status.textContent = s.status;
        row.image.textContent = shortId(s.imageId);
        row.image.title = s.imageId ?? "";
        row.at.textContent = at ? clock(at) : "—";
        row.button.textContent = view.requested.has(s.service) ? "Requested" : "Rebuild";
        row.button.disabled = view.requested.has(s.service);
        return row.tr;
      });
      const current = [...body.children];
      if (current.length !== wanted.length || current.some((tr, i) => tr !== wanted[i])) {
        body.replaceChildren(...wanted);
      }
      empty.hidden = wanted.length > 0;
    },
  };
}

/** One block per failing service in `box`: its own error and its last update's, when they differ. */
export function renderErrors(view: View, last: ReadonlyMap<string, UpdateRecord>, box: HTMLElement): void {
  const blocks: HTMLElement[] = [];
  for (const name of serviceNames(view)) {
    const state = view.services.get(name);
    const update = last.get(name);
    const messages: string[] = [];
    if (state?.error) messages.push(state.error);
    if (update && !update.ok && update.error && !messages.includes(update.error)) messages.push(update.error);
    if (messages.length === 0) continue;
    const title = update && !update.ok ? name + ": " + update.kind + " update failed" : name + " failed";
    blocks.push(
      el("article", { className: "error" }, [
        el("h3", { text: title }),
        el("pre", { "data-testid": "error", "data-service": name, text: messages.join("\n\n") }),
      ]),
    );
  }
  box.replaceChildren(...blocks);
  box.hidden = blocks.length === 0;
}

/** Each service's last update in `box` as a bar of its steps, with a `legend` of the steps shown. */
export function renderUpdates(
  view: View,
  last: ReadonlyMap<string, UpdateRecord>,
  box: HTMLElement,
  legend: HTMLElement,
): void {
  const rows: HTMLElement[] = [];
  const seen = new Set<string>();
  for (const name of serviceNames(view)) {
    const update = last.get(name);
    if (!update) continue;
    rows.push(updateRow(name, update, seen));
  }
  box.replaceChildren(...(rows.length ? rows : [el("p", { className: "empty", text: "No updates yet." })]));
  legend.replaceChildren(
    ...[...knownSteps, "other"]
      .filter((s) => seen.has(s))
      .map((s) => el("span", {}, [el("i", { className: stepClass(s) }), s])),
  );
}

/** One update's row; adds the step classes it drew to `seen`. */
function updateRow(name: string, update: UpdateRecord, seen: Set<string>): HTMLElement {
  const bar = el("div", {
    className: "bar",
    "data-testid": "update-bar",
    "data-service": name,
    "data-update": update.id,
  });
  for (const step of update.steps) {
    seen.add(knownSteps.includes(step.name) ? step.name : "other");
    const seg = el("div", {
      className: "seg " + stepClass(step.name),
      "data-testid": "update-step",
      "data-step": step.name,
      "data-ms": step.ms,
      title: step.name + ": " + ms(step.ms),
      text: step.name + " " + ms(step.ms),
    });
    // Width follows the step's share of the time; the minimum width keeps short steps readable.
    seg.style.flexGrow = String(Math.max(step.ms, 1));
    bar.append(seg);
  }
  const status = update.ok ? "" : " · failed";
  return el("div", { className: "update" }, [
    el("div", {}, [
      el("span", { className: "mono", text: name + " " }),
      el("span", { className: "badge " + update.kind, text: update.kind }),
    ]),
    bar,
    el("div", {
      className: "meta",
      text: ms(update.totalMs) + " edit → ready" + status + " · " + clock(update.at) + " · " + update.reason,
    }),
  ]);
}
