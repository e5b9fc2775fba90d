import { describe, expect, it } from "vitest";
import { gfmTable, parseGithubFile, parseGitlabDotenv } from "../../test/support/ci-formats.js";
import { anyChanged, ciPlan, githubOutputs, githubSummary, gitlabDotenv } from "./ci-outputs.js";
import type { ServiceChange } from "./detect-changes.js";

function change(service: string, status: ServiceChange["status"], reason = ""): ServiceChange {
  return { service, status, platforms: [], reason };
}

const changes: ServiceChange[] = [
  change("api", "changed", "file services/api/main.go, package example.com/shop/internal/money"),
  change("gone", "removed", "no longer in dray.yaml"),
  change("orders", "rebuilt-identical", "image unchanged despite: setting go.ldflags"),
  change("users", "unchanged"),
  change("web", "new", "not in the baseline | with a pipe, a *star* and a `tick`"),
];

describe("ciPlan", () => {
  it("puts new and changed services under changed, rebuilt-identical under unchanged", () => {
    expect(ciPlan(changes)).toEqual({
      changed: ["api", "web"],
      unchanged: ["orders", "users"],
      removed: ["gone"],
    });
    expect(anyChanged(ciPlan([change("users", "unchanged"), change("orders", "rebuilt-identical")]))).toBe(
      false,
    );
    expect(anyChanged(ciPlan([change("gone", "removed")]))).toBe(true);
  });
});

describe("githubOutputs", () => {
  it("writes JSON arrays a matrix can read, in GitHub's multi-line form", () => {
    const outputs = parseGithubFile(githubOutputs(ciPlan(changes)));
    expect(outputs).toEqual({
      changed: '["api","web"]',
      unchanged: '["orders","users"]',
      removed: '["gone"]',
      any: "true",
    });
    expect(JSON.parse(outputs["changed"]!)).toEqual(["api", "web"]);
  });

  it("picks another delimiter when one occurs in the value", () => {
    const delimiters = ["api", "d1", "d2", "d3", "d4"];
    const text = githubOutputs(ciPlan(changes), () => delimiters.shift()!);
    expect(text.startsWith("changed<<d1\n")).toBe(true);
    expect(parseGithubFile(text)["changed"]).toBe('["api","web"]');
  });

  it("uses a fresh random delimiter for every value", () => {
    const text = githubOutputs(ciPlan(changes));
    const delimiters = [...text.matchAll(/^[a-z]+<<(.+)$/gm)].map((m) => m[1]);
    expect(new Set(delimiters).size).toBe(4);
    expect(parseGithubFile(githubOutputs(ciPlan([])))).toEqual({
      changed: "[]",
      unchanged: "[]",
      removed: "[]",
      any: "false",
    });
  });
});

describe("githubSummary", () => {
  it("renders as a GFM table with one row per service, reasons intact", () => {
    const summary = githubSummary(changes, "HEAD~1");
    expect(summary.split("\n")[0]).toBe("### dray plan vs HEAD\\~1");
    expect(summary).toContain("2 to build and deploy, 2 unchanged, 1 removed");
    const table = gfmTable(summary);
    expect(table.header).toEqual(["Service", "Status", "Why"]);
    expect(table.rows).toEqual([
      ["api", "changed", "file services/api/main.go, package example.com/shop/internal/money"],
      ["gone", "removed", "no longer in dray.yaml"],
      ["orders", "rebuilt-identical", "image unchanged despite: setting go.ldflags"],
      ["users", "unchanged", "—"],
      ["web", "new", "not in the baseline | with a pipe, a *star* and a `tick`"],
    ]);
  });

  it("has no table when there are no services", () => {
    expect(() => gfmTable(githubSummary([], "the last build"))).toThrow("no table");
  });
});

describe("gitlabDotenv", () => {
  it("follows GitLab's dotenv rules and lists services comma-separated", () => {
    expect(parseGitlabDotenv(gitlabDotenv(ciPlan(changes)))).toEqual({
      DRAY_CHANGED: "api,web",
      DRAY_UNCHANGED: "orders,users",
      DRAY_REMOVED: "gone",
      DRAY_CHANGED_COUNT: "2",
      DRAY_ANY_CHANGED: "true",
    });
    expect(parseGitlabDotenv(gitlabDotenv(ciPlan([])))["DRAY_ANY_CHANGED"]).toBe("false");
  });
});
