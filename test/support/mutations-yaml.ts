/**
 * TEST HELPER: random changes to dray.yaml for the property test — keys deleted, renamed, retyped or
 * set to hostile values (huge, deeply nested, unicode, control characters, paths leaving the project),
 * and changes to the text itself (duplicated or dropped lines, garbage bytes, other encodings).
 * Every path value stays within one level above the project (the case's own temp folder), and every
 * registry named is on 127.0.0.1, so that whatever dray does with them stays inside the test's folder
 * and machine.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { CaseDirs, Mutation } from "./mutations.js";
import type { Prng } from "./prng.js";

type YamlPath = (string | number)[];

/** A value to put in dray.yaml: how it is shown in a failure message, and the value itself. */
interface Value {
  show: string;
  make: (dirs: CaseDirs) => unknown;
}

const v = (show: string, make: (dirs: CaseDirs) => unknown): Value => ({ show, make });
const nested = (depth: number): unknown => (depth === 0 ? "deep" : { a: nested(depth - 1) });

const ANY_VALUES: Value[] = [
  v("0", () => 0),
  v("-1", () => -1),
  v("1.5", () => 1.5),
  v("true", () => true),
  v("null", () => null),
  v('""', () => ""),
  v("[]", () => []),
  v("{}", () => ({})),
  v("[1, {a: 2}]", () => [1, { a: 2 }]),
  v("{a: 1}", () => ({ a: 1 })),
  v("2^53+2", () => 2 ** 53 + 2),
  v("Infinity", () => Number.POSITIVE_INFINITY),
  v("NaN", () => Number.NaN),
  v("a 1 MiB string", () => "x".repeat(1 << 20)),
  v("a 20000-item list", () => Array.from({ length: 20_000 }, (_, i) => `v${i}`)),
  v("maps nested 300 deep", () => nested(300)),
  v('"ünï😀\\u202e\\u0301"', () => "ünï😀\u202e\u0301"),
  v("control characters", () => "a\u0000b\u0007\u001b[31m"),
  v('"a\\nb: c"', () => "a\nb: c"),
  v('"127.0.0.1:1/nothing"', () => "127.0.0.1:1/nothing"),
  v('"127.0.0.1:1/base@sha256:0…"', () => `127.0.0.1:1/base@sha256:${"0".repeat(64)}`),
  v('"$HOME/x"', () => "$HOME/x"),
  v('"**"', () => "**"),
  v('"--help"', () => "--help"),
  v('"/"', () => "/"),
  v('"linux/amd64"', () => "linux/amd64"),
];

const PATH_VALUES: Value[] = [
  v('"."', () => "."),
  v('".."', () => ".."),
  v('"../outside"', () => "../outside"),
  v("<outside> (absolute)", (d) => d.outside),
  v("<outside>/secret.txt (absolute)", (d) => path.join(d.outside, "secret.txt")),
  v('"services"', () => "services"),
  v('"services/api/main.go"', () => "services/api/main.go"),
  v('"missing/dir"', () => "missing/dir"),
  v('"web/src"', () => "web/src"),
  v('"web/dist"', () => "web/dist"),
  v('".dray"', () => ".dray"),
  v('".git"', () => ".git"),
  v('"dray.yaml"', () => "dray.yaml"),
  v('""', () => ""),
  v('"./services/./api/"', () => "./services/./api/"),
  v('"services/api/static/../../../outside"', () => "services/api/static/../../../outside"),
  v('"web/../.."', () => "web/../.."),
  v('"sérvices/ápi"', () => "sérvices/ápi"),
  v('"a\\u0000b"', () => "a\u0000b"),
  v('"services/api/static:/srv/x" (files form)', () => "services/api/static:/srv/x"),
  v('"..:/src" (files form)', () => "..:/src"),
  v('".:/src" (files form)', () => ".:/src"),
  v('"../outside:/secret" (files form)', () => "../outside:/secret"),
];

/** Keys whose values are paths: they get path values most of the time. */
const PATH_KEYS = new Set(["go", "context", "dir", "output", "from", "inputs", "files", "ca", "layout"]);

/** Keys the example does not set, where a value may be added. */
const NEW_PATHS: YamlPath[] = [
  ["services", "api", "context"],
  ["services", "api", "files", 1],
  ["services", "api", "files", 0, "from"],
  ["services", "web", "files"],
  ["services", "web", "buildEnv"],
  ["services", "web", "inputs", 2],
  ["services", "orders", "base"],
  ["services", "orders", "base", "layout"],
  ["services", "api", "workdir"],
  ["services", "api", "binary"],
  ["services", "api", "tags"],
  ["services", "api", "cgo"],
  ["services", "api", "entrypoint"],
  ["services", "users", "user"],
  ["services", "api", "deploy", "replicas"],
  ["services", "zz"],
  ["services", "zz", "go"],
  ["services", "zz", "dir"],
  ["registry"],
  ["registry", "ca"],
  ["cache"],
  ["sourceDateEpoch"],
  ["base"],
  ["targets", "local", "host"],
];

const show = (p: YamlPath) => p.map(String).join(".");

/** Every key path of the YAML text, all depths. */
export function yamlPaths(text: string): YamlPath[] {
  const out: YamlPath[] = [];
  const visit = (node: unknown, at: YamlPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const p = [...at, String(isScalar(pair.key) ? pair.key.value : pair.key)];
        out.push(p);
        visit(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        out.push([...at, i]);
        visit(item, [...at, i]);
      });
    }
  };
  visit(parseDocument(text).contents, []);
  return out;
}

/** Edit dray.yaml as a YAML document; left as it is when an earlier mutation made it unparsable. */
function editDocument(
  describe: string,
  edit: (doc: ReturnType<typeof parseDocument>, d: CaseDirs) => void,
): Mutation {
  return {
    describe,
    phase: 0,
    async apply(dirs) {
      const file = path.join(dirs.root, "dray.yaml");
      const doc = parseDocument(await readFile(file, "utf8").catch(() => ""));
      if (doc.errors.length > 0) return;
      try {
        edit(doc, dirs);
        await writeFile(file, doc.toString({ lineWidth: 0 }));
      } catch {
        // The path no longer fits the document (an earlier mutation changed it): no change.
      }
    },
  };
}

/** The key a path ends in ("from" for ["services", "api", "files", 0, "from"]). */
const lastKey = (p: YamlPath) => String([...p].reverse().find((x) => typeof x === "string"));
const isPathKey = (p: YamlPath) => PATH_KEYS.has(lastKey(p));

/** One structural change to dray.yaml. */
export function yamlMutation(rng: Prng, paths: readonly YamlPath[]): Mutation {
  const kind = rng.pick(["delete", "set", "path", "path", "path", "rename", "add"] as const);
  if (kind === "delete") {
    const p = rng.pick(paths);
    return editDocument(`dray.yaml: delete ${show(p)}`, (doc) => doc.deleteIn(p));
  }
  if (kind === "rename") {
    const p = rng.pick(paths.filter((x) => typeof x.at(-1) === "string"));
    const name = rng.pick([
      "",
      "ports ",
      "Ports",
      "pörts",
      "services",
      "__proto__",
      "constructor",
      "x".repeat(300),
    ]);
    return editDocument(`dray.yaml: rename ${show(p)} to ${JSON.stringify(name.slice(0, 20))}`, (doc) => {
      const value = doc.getIn(p, true);
      doc.deleteIn(p);
      doc.setIn([...p.slice(0, -1), name], value);
    });
  }
  // "path": a path-valued key, existing or new, set to a path that may leave the project.
  const p =
    kind === "path"
      ? rng.pick([...paths, ...NEW_PATHS].filter(isPathKey))
      : rng.pick(kind === "add" ? NEW_PATHS : paths);
  const value = rng.pick(isPathKey(p) && rng.chance(0.8) ? PATH_VALUES : ANY_VALUES);
  return editDocument(`dray.yaml: set ${show(p)} = ${value.show}`, (doc, dirs) =>
    doc.setIn(p, value.make(dirs)),
  );
}

/** One change to dray.yaml's bytes. */
export function yamlTextMutation(rng: Prng): Mutation {
  const text = (describe: string, edit: (t: Buffer) => Buffer | string): Mutation => ({
    describe: `dray.yaml: ${describe}`,
    phase: 1,
    async apply(dirs) {
      const file = path.join(dirs.root, "dray.yaml");
      const before = await readFile(file).catch(() => undefined);
      if (before) await writeFile(file, edit(before));
    },
  });
  const line = rng.int(0, 60);
  const at = rng.next();
  const garbage = rng.bytes(rng.int(1, 64));
  const lines = (t: Buffer) => t.toString("latin1").split("\n");
  const join = (l: string[]) => Buffer.from(l.join("\n"), "latin1");
  switch (rng.int(0, 12)) {
    case 0:
      return text(`duplicate line ${line}`, (t) =>
        join(lines(t).flatMap((l, i) => (i === line ? [l, l] : [l]))),
      );
    case 1:
      return text(`drop line ${line}`, (t) => join(lines(t).filter((_, i) => i !== line)));
    case 2:
      return text(`indent line ${line} by one space`, (t) =>
        join(lines(t).map((l, i) => (i === line ? ` ${l}` : l))),
      );
    case 3:
      return text(`truncate at ${(at * 100).toFixed(0)}%`, (t) => t.subarray(0, Math.floor(t.length * at)));
    case 4:
      return text(`insert ${garbage.length} random bytes at ${(at * 100).toFixed(0)}%`, (t) => {
        const cut = Math.floor(t.length * at);
        return Buffer.concat([t.subarray(0, cut), garbage, t.subarray(cut)]);
      });
    case 5:
      return text("empty file", () => "");
    case 6:
      return text("UTF-16LE with a byte-order mark", (t) =>
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t.toString("utf8"), "utf16le")]),
      );
    case 7:
      return text(
        "UTF-8 byte-order mark and CRLF line ends",
        (t) => `\ufeff${t.toString("utf8").replaceAll("\n", "\r\n")}`,
      );
    case 8:
      return text("invalid UTF-8 in a comment and a value", (t) =>
        Buffer.concat([
          Buffer.from("# \xff\xfe\n", "latin1"),
          t,
          Buffer.from("\nsourceDateEpoch: \xc3\x28\n", "latin1"),
        ]),
      );
    case 9:
      return text("tabs for indentation", (t) => t.toString("utf8").replaceAll("  ", "\t"));
    case 10:
      return text("an alias bomb appended", () => {
        const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
        for (let i = 0; i < 8; i++)
          bomb.push(`${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`);
        return `project: shop\nservices: {}\nbomb:\n${bomb.map((l) => `  ${l}`).join("\n")}\n`;
      });
    case 11:
      return text("2000 duplicate keys in services.api", (t) =>
        t
          .toString("utf8")
          .replace(
            "  api:\n",
            `  api:\n${Array.from({ length: 2000 }, (_, i) => `    labels: { n: "${i}" }\n`).join("")}`,
          ),
      );
    default:
      return text("binary garbage", () => garbage);
  }
}
