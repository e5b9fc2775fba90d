/**
 * Why two builds differ: the first differing field of a config, or the first differing entry of a layer,
 * in a form that points at the cause (a clock, a umask, a file order) rather than at a digest.
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { compareBytes } from "../oci/index.js";

/** The first difference between two images. `layer` is 1-based, in manifest order. */
export type Difference =
  | { kind: "config"; field: string; a: string; b: string }
  | { kind: "layer-count"; a: number; b: number }
  | {
      kind: "entry";
      layer: number;
      path: string;
      field: EntryField;
      a: string;
      b: string;
    };

/** Which part of a tar entry differs; "missing" means only in a, "extra" only in b, "order" in both at different positions. */
export type EntryField =
  | "missing"
  | "extra"
  | "type"
  | "mode"
  | "uid"
  | "gid"
  | "uname"
  | "gname"
  | "mtime"
  | "size"
  | "linkname"
  | "content"
  | "order";

/** A difference inside one layer, before the caller says which layer. */
export type EntryDifference = Omit<Extract<Difference, { kind: "entry" }>, "kind" | "layer">;

interface TarRecord {
  path: string;
  type: string;
  mode: string;
  uid: string;
  gid: string;
  uname: string;
  gname: string;
  mtime: string;
  size: string;
  linkname: string;
  content: string;
}

/** Header fields compared, in this order, once two entries have the same path at the same position. */
const FIELDS = [
  "type",
  "mode",
  "uid",
  "gid",
  "uname",
  "gname",
  "mtime",
  "size",
  "linkname",
  "content",
] as const;

/**
 * The first difference between two uncompressed layer tars (gzip input is decompressed too), comparing
 * entries in archive order: paths first (missing, extra, or reordered), then each header field, then
 * content by sha256.
 */
export async function firstTarDifference(a: Buffer, b: Buffer): Promise<EntryDifference | undefined> {
  const [left, right] = await Promise.all([readRecords(a), readRecords(b)]);
  const leftPositions = new Map(left.map((record, i) => [record.path, i]));
  const rightPositions = new Map(right.map((record, i) => [record.path, i]));
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x && !rightPositions.has(x.path))
      return { path: x.path, field: "missing", a: "present", b: "absent" };
    if (y && !leftPositions.has(y.path)) return { path: y.path, field: "extra", a: "absent", b: "present" };
    // Past the shorter list's end with the path found elsewhere: a path listed twice in one archive.
    if (!x) return { path: y!.path, field: "extra", a: "absent", b: "present" };
    if (!y) return { path: x.path, field: "missing", a: "present", b: "absent" };
    if (x.path !== y.path) {
      return {
        path: x.path,
        field: "order",
        a: `entry ${i + 1}`,
        b: `entry ${rightPositions.get(x.path)! + 1}`,
      };
    }
    for (const field of FIELDS) {
      if (x[field] !== y[field]) return { path: x.path, field, a: x[field], b: y[field] };
    }
  }
  return undefined;
}

/**
 * The first path (in bytewise key order) at which two JSON values differ, e.g. `config.Env[1]` or
 * `config.Labels["org.example.revision"]`; values are shown as JSON, an absent key as "(absent)".
 */
export function firstJsonDifference(
  a: unknown,
  b: unknown,
): { field: string; a: string; b: string } | undefined {
  return jsonDifference(a, b, "");
}

/** What the two sides of a comparison are called: unnamed builds, or e.g. "registry" and "rebuild". */
export interface DifferenceSides {
  /** "only in …" for what only the first side has. */
  a: string;
  b: string;
  /** Put the side's name before each value: `(registry sha256:… vs rebuild sha256:…)`. */
  label: boolean;
}

const BUILDS: DifferenceSides = { a: "the first build", b: "the second build", label: false };

/** One line for a human, e.g. `layer 2, file app/api: content differs (sha256:ab12… vs sha256:cd34…)`. */
export function describeDifference(d: Difference, sides: DifferenceSides = BUILDS): string {
  const pair = (a: string, b: string) =>
    sides.label ? `(${sides.a} ${a} vs ${sides.b} ${b})` : `(${a} vs ${b})`;
  switch (d.kind) {
    case "layer-count":
      return `number of layers differs ${pair(String(d.a), String(d.b))}`;
    case "config":
      return `config ${d.field || "(root)"} differs ${pair(d.a, d.b)}`;
    case "entry": {
      const where = `layer ${d.layer}, ${d.field === "content" || d.field === "size" ? "file " : ""}${d.path}`;
      if (d.field === "missing") return `${where}: only in ${sides.a}`;
      if (d.field === "extra") return `${where}: only in ${sides.b}`;
      if (d.field === "order") return `${where}: order differs ${pair(d.a, d.b)}`;
      return `${where}: ${d.field} differs ${pair(short(d.a), short(d.b))}`;
    }
  }
}

/** Digests shortened to 12 hex digits; other values as they are. */
function short(value: string): string {
  return /^sha256:[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 19)}…` : value;
}

async function readRecords(tar: Buffer): Promise<TarRecord[]> {
  const input = tar[0] === 0x1f && tar[1] === 0x8b ? gunzipSync(tar) : tar;
  const records: TarRecord[] = [];
  const reader = extract();
  reader.end(input);
  for await (const entry of reader) {
    const hash = createHash("sha256");
    for await (const chunk of entry) hash.update(chunk as Buffer);
    const h = entry.header;
    records.push({
      path: h.name,
      type: h.type ?? "unknown",
      mode: (h.mode ?? 0).toString(8).padStart(4, "0"),
      uid: String(h.uid ?? 0),
      gid: String(h.gid ?? 0),
      uname: h.uname ?? "",
      gname: h.gname ?? "",
      mtime: String(Math.floor((h.mtime?.getTime() ?? 0) / 1000)),
      size: String(h.size ?? 0),
      linkname: h.linkname ?? "",
      content: `sha256:${hash.digest("hex")}`,
    });
  }
  return records;
}

function jsonDifference(
  a: unknown,
  b: unknown,
  field: string,
): { field: string; a: string; b: string } | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const found = jsonDifference(a[i], b[i], `${field}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareBytes);
    for (const key of keys) {
      const found = jsonDifference(a[key], b[key], `${field}${propertyPath(key, field === "")}`);
      if (found) return found;
    }
    return undefined;
  }
  const left = show(a);
  const right = show(b);
  return left === right ? undefined : { field, a: left, b: right };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `.key` for identifier-like keys, `["key"]` for the rest (label names with dots, paths). */
function propertyPath(key: string, first: boolean): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

function show(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}
