import { describe, expect, it } from "vitest";
import type { UpdateRecord } from "./events.js";
import { createDevHub } from "./hub.js";
import { attachTerminal, formatUpdate } from "./terminal.js";

const plain = { interactive: false, color: false };
const update: UpdateRecord = {
  id: 1,
  service: "api",
  kind: "live",
  reason: "changed: services/api/main.go",
  at: new Date(2026, 0, 1, 12, 0, 5).getTime(),
  steps: [
    { name: "detect", ms: 11 },
    { name: "compile", ms: 230 },
    { name: "copy", ms: 52 },
    { name: "restart", ms: 3 },
    { name: "ready", ms: 4 },
  ],
  totalMs: 300,
  ok: true,
};

describe("dev terminal output", () => {
  it("gives every update one line with each step's time, the total and why", () => {
    expect(formatUpdate(update, plain)).toBe(
      "12:00:05 api live ✓ detect 11ms · compile 230ms · copy 52ms · restart 3ms · ready 4ms = 300ms  (changed: services/api/main.go)",
    );
  });

  it("shows a compile error under its update, and says the old version keeps running", () => {
    const failed = {
      ...update,
      ok: false,
      steps: update.steps.slice(0, 2),
      error: "main.go:3:1: syntax error",
    };
    expect(formatUpdate(failed, plain).split("\n")).toEqual([
      "12:00:05 api live ✗ detect 11ms · compile 230ms = 300ms  (changed: services/api/main.go)",
      "    main.go:3:1: syntax error",
      "    the previous version keeps running; fix it and save again",
    ]);
  });

  it("interleaves log lines with a prefix per service and prints status changes as lines when not interactive", () => {
    const hub = createDevHub("shop");
    const out: string[] = [];
    const detach = attachTerminal(hub, { write: (t: string) => out.push(t) }, plain);
    const state = { imageId: undefined, containerId: undefined, lastUpdateAt: undefined, error: undefined };
    hub.setService({ service: "api", status: "building", ...state });
    hub.setService({ service: "api", status: "building", ...state });
    hub.setService({ service: "api", status: "ready", ...state });
    hub.addLog({ service: "api", stream: "stdout", line: "api: listening on :8080", at: 0 });
    hub.addLog({ service: "orders", stream: "stderr", line: "orders: oops", at: 0 });
    detach();
    expect(out.join("")).toBe(
      "api: building\napi: ready\napi     | api: listening on :8080\norders  | orders: oops\n",
    );
  });

  it("keeps a status line of every service at the bottom of an interactive terminal", () => {
    const hub = createDevHub("shop");
    const out: string[] = [];
    const detach = attachTerminal(
      hub,
      { write: (t: string) => out.push(t) },
      { interactive: true, color: false },
    );
    const state = { imageId: undefined, containerId: undefined, lastUpdateAt: undefined, error: undefined };
    hub.setService({ service: "api", status: "ready", ...state });
    hub.setService({ service: "orders", status: "updating", ...state });
    hub.addLog({ service: "api", stream: "stdout", line: "hello", at: 0 });
    detach();
    const text = out.join("");
    expect(text.endsWith("\r\x1b[2Kapi     | hello\napi ready  orders updating\n")).toBe(true);
  });
});
