import { describe, expect, it } from "vitest";
import { compareOwned, driftReason, formatDrift, type OwnedFields, parseOwned } from "./drift.js";

describe("compareOwned", () => {
  const deployed: OwnedFields = {
    image: "reg.test/shop/api@sha256:aaa",
    replicas: 3,
    env: { LOG_LEVEL: "debug", PORT: "8080" },
    ports: ["18080:8080/tcp (host)"],
    restart: "any",
  };

  const cases: { name: string; live: OwnedFields; expected: [string, string, string][] }[] = [
    { name: "nothing changed", live: deployed, expected: [] },
    { name: "scaled down", live: { ...deployed, replicas: 1 }, expected: [["replicas", "3", "1"]] },
    {
      name: "another image",
      live: { ...deployed, image: "nginx:1@sha256:bbb" },
      expected: [["image", "reg.test/shop/api@sha256:aaa", "nginx:1@sha256:bbb"]],
    },
    {
      name: "an env var added, one changed, one removed",
      live: { ...deployed, env: { LOG_LEVEL: "info", EXTRA: "1" } },
      expected: [
        ["env EXTRA", "none", '"1"'],
        ["env LOG_LEVEL", '"debug"', '"info"'],
        ["env PORT", '"8080"', "none"],
      ],
    },
    {
      name: "a port published by hand, in whatever order",
      live: { ...deployed, ports: ["9000:9000/tcp (host)", "18080:8080/tcp (host)"] },
      expected: [["ports", "18080:8080/tcp (host)", "18080:8080/tcp (host), 9000:9000/tcp (host)"]],
    },
    {
      name: "restart policy",
      live: { ...deployed, restart: "none" },
      expected: [["restart", "any", "none"]],
    },
    {
      name: "a field the target no longer reports",
      live: { env: deployed.env, ports: deployed.ports, restart: "any" },
      expected: [
        ["image", "reg.test/shop/api@sha256:aaa", "none"],
        ["replicas", "3", "none"],
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const drift = compareOwned("api", deployed, c.live);
      expect(drift.map((d) => [d.field, d.deployed, d.live])).toEqual(c.expected);
      for (const d of drift) expect(d.service).toBe("api");
    });

  it("compares only the fields dray set", () => {
    expect(compareOwned("api", { replicas: 2 }, { replicas: 2, image: "x", env: { A: "1" } })).toEqual([]);
  });

  it("never shows the value of a variable named like a credential, only that it changed", () => {
    const drift = compareOwned(
      "api",
      { env: { DB_PASSWORD: "hunter2" } },
      { env: { DB_PASSWORD: "s3cret", API_TOKEN: "t0k" } },
    );
    expect(drift.map(formatDrift)).toEqual([
      "env API_TOKEN none → (hidden)",
      "env DB_PASSWORD (hidden) → (hidden)",
    ]);
    expect(JSON.stringify(drift)).not.toMatch(/hunter2|s3cret|t0k/);
  });
});

describe("drift text", () => {
  it("reads as 'field deployed → live', with who changed it when known", () => {
    expect(formatDrift({ service: "api", field: "replicas", deployed: "3", live: "1", by: "kubectl" })).toBe(
      "replicas 3 → 1 (changed by kubectl)",
    );
    expect(
      driftReason([
        { service: "api", field: "replicas", deployed: "3", live: "1" },
        { service: "api", field: "env A", deployed: "none", live: '"1"' },
      ]),
    ).toBe('drifted: replicas 3 → 1, env A none → "1"');
  });
});

describe("parseOwned", () => {
  it("keeps only fields of the right type from a label edited by hand", () => {
    expect(
      parseOwned('{"image":"x","replicas":"3","env":{"A":1},"ports":["1:1/tcp"],"restart":"no"}'),
    ).toEqual({
      image: "x",
      ports: ["1:1/tcp"],
      restart: "no",
    });
    expect(parseOwned("not json")).toBeUndefined();
    expect(parseOwned("[1]")).toBeUndefined();
    expect(parseOwned(undefined)).toBeUndefined();
  });
});
