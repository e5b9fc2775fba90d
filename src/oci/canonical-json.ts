/**
 * One stringifier for every JSON document dray writes (config, manifest, index, index.json), so that
 * the bytes, and therefore the digests, never depend on the order in which objects were built.
 */

/**
 * Compares strings by UTF-16 code units (what `<` does), never by locale: for orders that must be
 * the same on every machine but need not match a byte order (reports, plans, dray.lock lines).
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares strings by their UTF-8 bytes; `<` on JS strings compares UTF-16 units, which orders astral characters differently. */
export function compareBytes(a: string, b: string): number {
  // Without encoding, for the common case (canonicalJson sorts every key of every document): up to
  // the first differing unit the encodings agree, and below the surrogates (U+D800) the order of
  // two differing units is the order of their UTF-8 bytes. Surrogates (astral characters, and lone
  // ones, which encode as U+FFFD) are left to the encoder.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return encodedOrder(a, b);
  }
  const last = n > 0 ? a.charCodeAt(n - 1) : 0;
  if (a.length !== b.length && last >= 0xd800 && last < 0xdc00) return encodedOrder(a, b);
  return a.length - b.length;
}

function encodedOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Serializes `value` with object keys sorted bytewise at every level and no whitespace.
 * Properties whose value is `undefined` are dropped (as JSON.stringify does); anything JSON cannot
 * represent faithfully (undefined in an array, NaN, Infinity, bigint, functions, cycles) throws, because
 * silently turning it into `null` would hide a bug in the document being built.
 */
export function canonicalJson(value: unknown): string {
  return stringify(value, new Set());
}

// The hot path of every input key (thousands of documents per plan): one string built by appending,
// no intermediate arrays of parts, and keys sorted only when they are not in order already.
function stringify(value: unknown, seen: Set<object>): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value))
        throw new TypeError(`canonicalJson: ${value} is not representable in JSON`);
      return JSON.stringify(value);
    case "object":
      return stringifyObject(value, seen);
    default:
      throw new TypeError(`canonicalJson: cannot serialize a ${typeof value}`);
  }
}

function stringifyObject(value: object, seen: Set<object>): string {
  if (seen.has(value)) throw new TypeError("canonicalJson: cyclic structure");
  // Honour toJSON (Date, Buffer) the way JSON.stringify does, then serialize its result canonically.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return stringify(toJSON.call(value), seen);
  seen.add(value);
  try {
    return Array.isArray(value)
      ? stringifyArray(value, seen)
      : stringifyRecord(value as Record<string, unknown>, seen);
  } finally {
    seen.delete(value);
  }
}

function stringifyArray(items: readonly unknown[], seen: Set<object>): string {
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    // A hole reads as undefined too: JSON has no way to say either.
    if (item === undefined) throw new TypeError(`canonicalJson: undefined at array index ${i}`);
    if (i > 0) out += ",";
    out += stringify(item, seen);
  }
  return `${out}]`;
}

function stringifyRecord(record: Record<string, unknown>, seen: Set<object>): string {
  const keys = Object.keys(record);
  let kept = 0;
  let sorted = true;
  for (const key of keys) {
    if (record[key] === undefined) continue;
    if (kept > 0 && sorted && compareBytes(keys[kept - 1]!, key) > 0) sorted = false;
    keys[kept++] = key;
  }
  keys.length = kept;
  if (!sorted) keys.sort(compareBytes);
  let out = "{";
  for (let i = 0; i < kept; i++) {
    const key = keys[i]!;
    if (i > 0) out += ",";
    out += JSON.stringify(key);
    out += ":";
    out += stringify(record[key], seen);
  }
  return `${out}}`;
}
