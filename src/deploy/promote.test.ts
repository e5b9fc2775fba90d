/** `dray promote`'s usage errors, raised before any target or registry is reached. */
import { describe, expect, it } from "vitest";
import { resolveLines } from "../../test/support/config-lines.js";
import { createTracer } from "../report/index.js";
import { promoteProject } from "./promote.js";

const config = resolveLines([
  "project: shop",
  "targets:",
  "  staging: { type: docker, registry: 127.0.0.1:5000/shop }",
  "  prod: { type: docker }",
  "services:",
  "  api:",
  "    go: ./services/api",
]);

const promote = (from: string, to: string) =>
  promoteProject({
    config,
    from,
    to,
    only: [],
    dryRun: true,
    lockWaitMs: 0,
    env: {},
    tracer: createTracer(),
    signal: new AbortController().signal,
    log: () => {},
  });

describe("promoteProject", () => {
  it("refuses to promote a target onto itself (exit 2)", async () => {
    await expect(promote("staging", "staging")).rejects.toMatchObject({
      message: "--from and --to name the same target, staging",
      exitCode: 2,
    });
  });

  it("refuses a destination without a registry, saying where to add one (exit 2)", async () => {
    await expect(promote("staging", "prod")).rejects.toMatchObject({
      message: "target prod has no registry to promote images into",
      exitCode: 2,
    });
  });

  it("names an unknown target with the closest one", async () => {
    await expect(promote("stagng", "prod")).rejects.toThrow(
      'unknown target "stagng" — did you mean "staging"?',
    );
  });
});
