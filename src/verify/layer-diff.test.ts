import { describe, expect, it } from "vitest";
import { sha256Digest } from "../oci/digest.js";
import { gzipDeterministic } from "../oci/gzip.js";
import { type TarEntry, type TarOptions, writeTar } from "../oci/tar.js";
import {
  type Difference,
  describeDifference,
  firstJsonDifference,
  firstTarDifference,
} from "./layer-diff.js";

const ZERO: TarOptions = { mtime: 0, uid: 0, gid: 0 };
const BASE: TarEntry[] = [
  { path: "app/api", type: "file", mode: 0o755, data: Buffer.from("binary v1") },
  { path: "app/static/index.html", type: "file", data: Buffer.from("<h1>") },
  { path: "app/current", type: "symlink", linkTarget: "api" },
];

const V1 = sha256Digest("binary v1");
const V2 = sha256Digest("binary v2");

function replace(path: string, change: Partial<TarEntry>): TarEntry[] {
  return BASE.map((entry) => (entry.path === path ? { ...entry, ...change } : entry));
}

describe("firstTarDifference", () => {
  const cases: {
    description: string;
    b: Buffer;
    expected: Awaited<ReturnType<typeof firstTarDifference>>;
    line: string;
  }[] = [
    {
      description: "content",
      b: writeTar(replace("app/api", { data: Buffer.from("binary v2") }), ZERO),
      expected: { path: "app/api", field: "content", a: V1, b: V2 },
      line: `layer 2, file app/api: content differs (${V1.slice(0, 19)}… vs ${V2.slice(0, 19)}…)`,
    },
    {
      description: "mtime",
      b: writeTar(BASE, { ...ZERO, mtime: 1_700_000_000 }),
      expected: { path: "app/", field: "mtime", a: "0", b: "1700000000" },
      line: "layer 2, app/: mtime differs (0 vs 1700000000)",
    },
    {
      description: "a missing file",
      b: writeTar(
        BASE.filter((e) => e.path !== "app/current"),
        ZERO,
      ),
      expected: { path: "app/current", field: "missing", a: "present", b: "absent" },
      line: "layer 2, app/current: only in the first build",
    },
    {
      description: "an extra file",
      b: writeTar([...BASE, { path: "app/debug.log", type: "file" }], ZERO),
      expected: { path: "app/debug.log", field: "extra", a: "absent", b: "present" },
      line: "layer 2, app/debug.log: only in the second build",
    },
    {
      description: "a mode",
      b: writeTar(replace("app/api", { mode: 0o644 }), ZERO),
      expected: { path: "app/api", field: "mode", a: "0755", b: "0644" },
      line: "layer 2, app/api: mode differs (0755 vs 0644)",
    },
    {
      description: "a link target",
      b: writeTar(replace("app/current", { linkTarget: "static" }), ZERO),
      expected: { path: "app/current", field: "linkname", a: "api", b: "static" },
      line: "layer 2, app/current: linkname differs (api vs static)",
    },
    {
      description: "the owner",
      b: writeTar(BASE, { ...ZERO, uid: 1000 }),
      expected: { path: "app/", field: "uid", a: "0", b: "1000" },
      line: "layer 2, app/: uid differs (0 vs 1000)",
    },
  ];
  const a = writeTar(BASE, ZERO);

  it.each(cases)("finds a different $description", async ({ b, expected, line }) => {
    const found = await firstTarDifference(a, b);
    expect(found).toEqual(expected);
    expect(describeDifference({ kind: "entry", layer: 2, ...found! })).toBe(line);
  });

  it("finds nothing between identical archives, compressed or not", async () => {
    expect(await firstTarDifference(a, writeTar([...BASE].reverse(), ZERO))).toBeUndefined();
    expect(await firstTarDifference(gzipDeterministic(a), a)).toBeUndefined();
  });

  it("reports entries in a different order", async () => {
    // Hand-made archives in different orders (writeTar always sorts, so concatenate two single-entry tars).
    const one = (entry: TarEntry) => writeTar([entry], ZERO).subarray(0, -1024);
    const x: TarEntry = { path: "x", type: "file" };
    const y: TarEntry = { path: "y", type: "file" };
    const end = Buffer.alloc(1024);
    const found = await firstTarDifference(
      Buffer.concat([one(x), one(y), end]),
      Buffer.concat([one(y), one(x), end]),
    );
    expect(found).toEqual({ path: "x", field: "order", a: "entry 1", b: "entry 2" });
  });
});

describe("firstJsonDifference", () => {
  it.each([
    {
      description: "an env entry",
      a: { config: { Env: ["A=1", "B=2"] } },
      b: { config: { Env: ["A=1", "B=3"] } },
      expected: { field: "config.Env[1]", a: '"B=2"', b: '"B=3"' },
    },
    {
      description: "a label with dots in its name",
      a: { config: { Labels: { "org.example.rev": "abc" } } },
      b: { config: { Labels: { "org.example.rev": "def" } } },
      expected: { field: 'config.Labels["org.example.rev"]', a: '"abc"', b: '"def"' },
    },
    {
      description: "an absent key",
      a: { created: "1970-01-01T00:00:00Z" },
      b: {},
      expected: { field: "created", a: '"1970-01-01T00:00:00Z"', b: "(absent)" },
    },
    {
      description: "a longer array",
      a: { diff_ids: ["x"] },
      b: { diff_ids: ["x", "y"] },
      expected: { field: "diff_ids[1]", a: "(absent)", b: '"y"' },
    },
  ])("finds $description", ({ a, b, expected }) => {
    expect(firstJsonDifference(a, b)).toEqual(expected);
  });

  it("finds nothing in equal documents built in another order", () => {
    expect(firstJsonDifference({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBeUndefined();
  });
});

describe("describeDifference", () => {
  it.each<{ d: Difference; line: string }>([
    { d: { kind: "layer-count", a: 2, b: 3 }, line: "number of layers differs (2 vs 3)" },
    {
      d: { kind: "config", field: "config.Env[0]", a: '"TZ=UTC"', b: '"TZ=CET"' },
      line: 'config config.Env[0] differs ("TZ=UTC" vs "TZ=CET")',
    },
    {
      d: { kind: "entry", layer: 1, path: "a", field: "order", a: "entry 1", b: "entry 2" },
      line: "layer 1, a: order differs (entry 1 vs entry 2)",
    },
  ])("says $line", ({ d, line }) => {
    expect(describeDifference(d)).toBe(line);
  });
});

describe("describeDifference with named sides", () => {
  const sides = { a: "the registry's image", b: "the rebuild", label: true };
  it.each<{ d: Difference; line: string }>([
    {
      d: {
        kind: "entry",
        layer: 2,
        path: "srv/x",
        field: "content",
        a: `sha256:${"a".repeat(64)}`,
        b: `sha256:${"b".repeat(64)}`,
      },
      line: "layer 2, file srv/x: content differs (the registry's image sha256:aaaaaaaaaaaa… vs the rebuild sha256:bbbbbbbbbbbb…)",
    },
    {
      d: { kind: "entry", layer: 1, path: "srv/new", field: "missing", a: "present", b: "absent" },
      line: "layer 1, srv/new: only in the registry's image",
    },
    {
      d: { kind: "entry", layer: 1, path: "srv/old", field: "extra", a: "absent", b: "present" },
      line: "layer 1, srv/old: only in the rebuild",
    },
    {
      d: { kind: "config", field: "config.Labels.v", a: '"1"', b: '"2"' },
      line: 'config config.Labels.v differs (the registry\'s image "1" vs the rebuild "2")',
    },
  ])("says $line", ({ d, line }) => {
    expect(describeDifference(d, sides)).toBe(line);
  });
});
