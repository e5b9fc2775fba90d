/**
 * Go version numbers as go.mod's `go` line and `go env GOVERSION` write them, ordered the way the
 * go command orders them: 1.21 < 1.21rc1 < 1.21.0 < 1.21.1 (a language version comes before every
 * release of it, a release candidate before the release). See the Go reference, "Go toolchains".
 */

interface Parsed {
  major: number;
  minor: number;
  /** 0 = language version ("1.21"), 1 = beta, 2 = rc, 3 = release ("1.21.0"). */
  kind: number;
  /** The beta/rc number or the patch number. */
  n: number;
}

const VERSION = /^(\d+)(?:\.(\d+))?(?:\.(\d+)|(beta|rc)(\d+))?$/;

function parse(version: string): Parsed | undefined {
  const m = VERSION.exec(version);
  if (!m) return undefined;
  const kind = m[3] !== undefined ? 3 : m[4] === "beta" ? 1 : m[4] === "rc" ? 2 : 0;
  return {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    kind,
    n: Number(m[3] ?? m[5] ?? 0),
  };
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`; undefined if either is not a version. */
export function compareGoVersions(a: string, b: string): number | undefined {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return undefined;
  return x.major - y.major || x.minor - y.minor || x.kind - y.kind || x.n - y.n;
}

/** "1.23.5" from a toolchain's GOVERSION ("go1.23.5", "go1.24rc1 X:boringcrypto"); undefined for a development build. */
export function toolchainVersion(goversion: string): string | undefined {
  return /^go(\d+(?:\.\d+)*(?:(?:beta|rc)\d+)?)\b/.exec(goversion)?.[1];
}

/**
 * True when a toolchain reporting `goversion` may build code whose go line says `required`, as
 * go does with GOTOOLCHAIN=local. A development build (or a version dray cannot read) is let through:
 * go itself then decides.
 */
export function toolchainSatisfies(goversion: string, required: string): boolean {
  const have = toolchainVersion(goversion);
  if (have === undefined) return true;
  const order = compareGoVersions(have, required);
  return order === undefined || order >= 0;
}
