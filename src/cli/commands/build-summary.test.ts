import { describe, expect, it } from "vitest";
import type { BuildOutcome, ServiceReport } from "../../pipeline/index.js";
import { createTracer } from "../../report/index.js";
import type { OutputStyle } from "../../terminal/index.js";
import { renderSummary } from "./build.js";

const digest = (n: number) => `sha256:${String(n).padStart(64, "0")}` as const;

function service(
  name: string,
  cached: boolean,
  change: "new" | "changed" | "rebuilt-identical" | "unchanged",
): ServiceReport {
  return {
    name,
    kind: "go",
    status: "built",
    cached,
    fromRegistry: false,
    change,
    key: digest(1),
    ref: name,
    digest: digest(2),
    platforms: [],
  };
}

function outcome(services: ServiceReport[]): BuildOutcome {
  return {
    services,
    keys: new Map(),
    entries: new Map(),
    documents: new Map(),
    layout: "/p/.dray/oci",
    steps: { fingerprint: 0, "cache lookup": 0, build: 0, tag: 0, "cache prune": 0 },
    totalMs: 1500,
    tracer: createTracer(),
  };
}

const plain: OutputStyle = { color: false, interactive: false };

describe("the build summary", () => {
  it.each([
    {
      description: "rebuilt-identical services are not also counted as built",
      services: [
        ...Array.from({ length: 8 }, (_, i) => service(`id${i}`, false, "rebuilt-identical")),
        ...Array.from({ length: 3 }, (_, i) => service(`c${i}`, true, "unchanged")),
      ],
      expected: "11 services: 0 built, 8 rebuilt into an identical image, 3 from cache",
    },
    {
      description: "new and changed images are built; the counts add up to the services",
      services: [service("a", false, "new"), service("b", false, "changed"), service("c", true, "unchanged")],
      expected: "3 services: 2 built, 1 from cache",
    },
  ])("$description", ({ services, expected }) => {
    const last = renderSummary(outcome(services), plain).split("\n").at(-1)!;
    expect(last.startsWith(`${expected} in `)).toBe(true);
  });
});
