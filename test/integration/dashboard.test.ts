/**
 * The dev dashboard in a real headless Chromium, fed by a real hub: what the dev loop writes
 * into the hub shows up on the page live, and the page's Rebuild button reaches the loop.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "../../src/dev/dashboard/index.js";
import type { ServiceState, UpdateRecord } from "../../src/dev/events.js";
import { createDevHub, type DevHub } from "../../src/dev/hub.js";
import { launchChromium } from "../support/browser.js";

const artifacts = path.resolve(import.meta.dirname, "../../test-artifacts");
/** Bounded waits: a live page reacts within a frame or two, never seconds. */
const wait = { timeout: 10_000 };

let hub: DevHub;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
const rebuilds: string[] = [];
const pageErrors: string[] = [];

function state(service: string, status: ServiceState["status"], error?: string): ServiceState {
  return {
    service,
    status,
    imageId: `sha256:${service === "api" ? "a1b2c3d4e5f60718" : "f0e1d2c3b4a59687"}aaaa`,
    containerId: `${service}-container`,
    lastUpdateAt: Date.now(),
    error,
  };
}

const liveUpdate: UpdateRecord = {
  id: 1,
  service: "api",
  kind: "live",
  reason: "services/api/main.go changed",
  at: Date.now(),
  steps: [
    { name: "detect", ms: 12 },
    { name: "compile", ms: 840 },
    { name: "copy", ms: 35 },
    { name: "restart", ms: 120 },
    { name: "ready", ms: 64 },
  ],
  totalMs: 1071,
  ok: true,
};

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  hub = createDevHub("shop");
  hub.setService(state("api", "ready"));
  hub.setService(state("web", "building"));
  hub.onRebuild((service) => rebuilds.push(service));
  dashboard = await startDashboard(hub);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  page.setDefaultTimeout(wait.timeout);
  // Any script error or blocked resource (a CSP violation) on the page fails the run at the end.
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  await page.goto(dashboard.url, { timeout: wait.timeout });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

describe("dev dashboard in Chromium", () => {
  it("shows the project and lists the services with their status and short image ID", async () => {
    await expect.poll(() => page.getByTestId("project").textContent(), wait).toBe("shop");
    const rows = page.getByTestId("service-row");
    await expect.poll(() => rows.count(), wait).toBe(2);
    const api = page.locator('[data-testid="service-row"][data-service="api"]');
    expect(await api.getByTestId("status").textContent()).toBe("ready");
    expect(await api.textContent()).toContain("a1b2c3d4e5f6");
    expect(await api.textContent()).not.toContain("sha256:");
    const web = page.locator('[data-testid="service-row"][data-service="web"]');
    expect(await web.getByTestId("status").textContent()).toBe("building");
    await expect.poll(() => page.getByTestId("connection").textContent(), wait).toBe("live");
  });

  it("draws the timing bar of a new update with one labelled segment per step", async () => {
    hub.addUpdate(liveUpdate);
    const bar = page.locator('[data-testid="update-bar"][data-service="api"]');
    await bar.waitFor(wait);
    const segments = bar.getByTestId("update-step");
    expect(await segments.evaluateAll((els) => els.map((e) => e.getAttribute("data-step")))).toEqual(
      liveUpdate.steps.map((s) => s.name),
    );
    expect(await segments.allTextContents()).toEqual(liveUpdate.steps.map((s) => `${s.name} ${s.ms} ms`));
    // Widths follow the time each step took: compile dominates this update.
    const widths = await segments.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    expect(Math.max(...widths)).toBe(widths[1]);
  });

  it("plots one point per update in the latency chart, coloured by kind", async () => {
    hub.addUpdate({
      ...liveUpdate,
      id: 2,
      kind: "rebuild",
      reason: "go.mod changed",
      steps: [
        { name: "build", ms: 2400 },
        { name: "deploy", ms: 900 },
      ],
      totalMs: 3300,
    });
    const points = page.locator('[data-testid="latency-chart"] circle');
    await expect.poll(() => points.count(), wait).toBe(2);
    expect(await points.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")))).toEqual([
      "live",
      "rebuild",
    ]);
  });

  it("appends a new log line to the log pane and filters it by service", async () => {
    hub.addLog({ service: "api", stream: "stdout", line: "listening on :8080", at: Date.now() });
    hub.addLog({ service: "web", stream: "stderr", line: "<b>not markup</b>", at: Date.now() });
    const logs = page.getByTestId("logs");
    await expect.poll(() => logs.textContent(), wait).toContain("listening on :8080");
    expect(await logs.textContent()).toContain("<b>not markup</b>");

    await page.getByTestId("log-filter").selectOption("web");
    await expect.poll(() => logs.textContent(), wait).not.toContain("listening on :8080");
    expect(await logs.textContent()).toContain("<b>not markup</b>");
    await page.getByTestId("log-filter").selectOption("");
  });

  it("asks the dev loop to rebuild the service whose button was clicked", async () => {
    await page.locator('[data-testid="rebuild"][data-service="web"]').click();
    await expect.poll(() => rebuilds, wait).toEqual(["web"]);
  });

  it("shows a compile error prominently", async () => {
    const compilerOutput = "services/api/main.go:12:2: undefined: handler";
    hub.addUpdate({
      ...liveUpdate,
      id: 3,
      steps: [
        { name: "detect", ms: 9 },
        { name: "compile", ms: 410 },
      ],
      totalMs: 419,
      ok: false,
      error: compilerOutput,
    });
    hub.setService(state("api", "failed", compilerOutput));
    const error = page.locator('[data-testid="error"][data-service="api"]');
    await expect.poll(() => error.textContent(), wait).toBe(compilerOutput);
    expect(await error.evaluate((e) => e.tagName)).toBe("PRE");
    expect(await error.isVisible()).toBe(true);
    const api = page.locator('[data-testid="service-row"][data-service="api"]');
    expect(await api.getByTestId("status").textContent()).toBe("failed");

    await page.screenshot({ path: path.join(artifacts, "dashboard.png"), fullPage: true });
    // The page follows the system's colour scheme; keep a picture of the dark one too.
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(artifacts, "dashboard-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("rebuilds its state from a fresh snapshot after a reload", async () => {
    await page.reload({ timeout: wait.timeout });
    await expect.poll(() => page.locator('[data-testid="latency-chart"] circle').count(), wait).toBe(3);
    expect(await page.getByTestId("logs").textContent()).toContain("listening on :8080");
    expect(pageErrors).toEqual([]);
  });
});
