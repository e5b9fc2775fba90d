/** The log pane and its service filter. */
import type { LogLine } from "../../events.js";
import { clock, el } from "./dom.js";

/** The log pane: redrawn whole after a snapshot or a filter change, otherwise appended to. */
export interface LogPane {
  /** Redraw every kept line at the next render: a new snapshot arrived, or the filter changed. */
  reset(): void;
  /** A line that arrived since the last render. */
  add(log: LogLine): void;
  /** Brings the pane up to date with `logs` (all kept lines) and the filter's choices with `names`. */
  render(logs: readonly LogLine[], names: readonly string[]): void;
}

/** Renders into `pane`, showing at most `maxLines`, filtered by the `filter` drop-down. */
export function createLogPane(pane: HTMLElement, filter: HTMLSelectElement, maxLines: number): LogPane {
  let reset = true;
  let pending: LogLine[] = [];
  let filterNames = "";

  return {
    reset() {
      reset = true;
    },
    add(log) {
      pending.push(log);
    },
    render(logs, names) {
      // Only touch the options when the list changed, so an open drop-down is not closed under the reader.
      if (names.join("\n") !== filterNames) {
        filterNames = names.join("\n");
        const chosen = filter.value;
        const options = names.map((name) => el("option", { value: name, text: name }));
        filter.replaceChildren(el("option", { value: "", text: "all" }), ...options);
        filter.value = names.includes(chosen) ? chosen : "";
      }
      const show = (log: LogLine) => filter.value === "" || log.service === filter.value;
      // Follow the tail only when the reader is already there, so scrolling back is not undone.
      const atEnd = pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 4;
      if (reset) pane.replaceChildren(...logs.filter(show).map(logLine));
      else pane.append(...pending.filter(show).map(logLine));
      while (pane.childElementCount > maxLines) pane.firstElementChild?.remove();
      if (atEnd || reset) pane.scrollTop = pane.scrollHeight;
      reset = false;
      pending = [];
    },
  };
}

function logLine(log: LogLine): HTMLElement {
  return el("div", { className: "line " + log.stream, "data-service": log.service }, [
    el("span", { className: "time", text: clock(log.at) }),
    el("span", { className: "svc", text: log.service }),
    el("span", { className: "text", text: log.line }),
  ]);
}
