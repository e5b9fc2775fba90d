/**
 * The terminal side of `dray dev`: one line per update with every step's time, service logs
 * interleaved with coloured prefixes, and — on an interactive terminal — a status line per
 * service kept at the bottom. Plain lines, no redraws, when piped or in CI.
 */
import { formatMs } from "../report/index.js";
import { Color, type OutputStyle, paint } from "../terminal/index.js";
import type { DevEvent, DevSession, ServiceState, UpdateRecord } from "./events.js";

const PALETTE = [Color.cyan, Color.magenta, Color.blue, Color.yellow, Color.green];
const STATUS_COLOR: Record<ServiceState["status"], number> = {
  building: Color.yellow,
  deploying: Color.yellow,
  updating: Color.cyan,
  ready: Color.green,
  failed: Color.red,
};

function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}

/** "api  live ✓ detect 31ms · compile 402ms · … = 774ms  (changed: services/api/main.go)". */
export function formatUpdate(update: UpdateRecord, style: OutputStyle): string {
  const steps = update.steps.map((s) => `${s.name} ${formatMs(s.ms)}`).join(" · ");
  const mark = update.ok ? paint(style, Color.green, "✓") : paint(style, Color.red, "✗");
  const head = `${clock(update.at)} ${update.service} ${update.kind} ${mark} ${steps} = ${paint(style, Color.bold, formatMs(update.totalMs))}`;
  const lines = [`${head}  ${paint(style, Color.dim, `(${update.reason})`)}`];
  if (!update.ok && update.error) {
    lines.push(...update.error.split("\n").map((l) => `    ${paint(style, Color.red, l)}`));
    if (update.kind === "live")
      lines.push(paint(style, Color.dim, "    the previous version keeps running; fix it and save again"));
  }
  return lines.join("\n");
}

/** Follows `session` and writes to `out`; returns the function that stops it. */
export function attachTerminal(
  session: DevSession,
  out: { write(text: string): unknown },
  style: OutputStyle,
): () => void {
  const prefixes = new Map<string, string>();
  const states = new Map<string, ServiceState>();
  const prefix = (service: string) => {
    if (!prefixes.has(service))
      prefixes.set(service, paint(style, PALETTE[prefixes.size % PALETTE.length]!, `${service.padEnd(8)}|`));
    return prefixes.get(service)!;
  };
  const statusLine = () =>
    [...states.values()]
      .map(
        (s) =>
          `${s.service} ${paint(style, STATUS_COLOR[s.status], s.status)}${s.lastUpdateAt ? paint(style, Color.dim, ` ${clock(s.lastUpdateAt)}`) : ""}`,
      )
      .join("  ");
  let shown = false;
  const print = (text: string) => {
    if (style.interactive && shown) out.write("\r\x1b[2K");
    out.write(`${text}\n`);
    if (style.interactive) {
      out.write(statusLine());
      shown = true;
    }
  };
  for (const state of session.snapshot().services) states.set(state.service, state);
  const onEvent = (event: DevEvent) => {
    switch (event.type) {
      case "log":
        print(
          `${prefix(event.log.service)} ${event.log.stream === "stderr" ? paint(style, Color.red, event.log.line) : event.log.line}`,
        );
        break;
      case "update":
        print(formatUpdate(event.update, style));
        break;
      case "service": {
        const before = states.get(event.state.service);
        states.set(event.state.service, event.state);
        if (style.interactive) {
          out.write(`\r\x1b[2K${statusLine()}`);
          shown = true;
        } else if (before?.status !== event.state.status) {
          print(`${event.state.service}: ${event.state.status}`);
        }
        break;
      }
    }
  };
  const unsubscribe = session.subscribe(onEvent);
  return () => {
    unsubscribe();
    if (style.interactive && shown) out.write("\n");
  };
}
