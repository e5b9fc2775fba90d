/**
 * GOFLAGS, the flags every go command takes from the environment: which of them dray passes on,
 * and which of them change a binary (and so belong in its input key).
 *
 * GOFLAGS is a space-separated list of `-flag=value` or boolean `-flag` entries; since Go 1.18 an
 * entry may be quoted ('…' or "…"). Flags on go's command line are applied after GOFLAGS and win.
 */

/** One GOFLAGS entry: its flag name ("mod") and the text as written ("-mod=vendor"). */
export interface GoflagsEntry {
  name: string;
  /** The entry unquoted: "-ldflags=-X main.v=1". */
  text: string;
  /** The entry as written, quotes kept, so that it can be passed on unchanged. */
  raw: string;
}

/** The entries of a GOFLAGS value, in order. */
export function splitGoflags(value: string | undefined): GoflagsEntry[] {
  const out: GoflagsEntry[] = [];
  const text = value ?? "";
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let unquoted = "";
    while (i < text.length && !/\s/.test(text[i]!)) {
      const c = text[i]!;
      if (c === "'" || c === '"') {
        const end = text.indexOf(c, i + 1);
        unquoted += text.slice(i + 1, end === -1 ? text.length : end);
        i = end === -1 ? text.length : end + 1;
      } else {
        unquoted += c;
        i++;
      }
    }
    const name = /^--?([^=]*)/.exec(unquoted)?.[1] ?? unquoted;
    out.push({ name, text: unquoted, raw: text.slice(start, i) });
  }
  return out;
}

/**
 * Flags that never change what go builds: where module sources are read from (-mod: dray decides it
 * per module, from files that are themselves in the key — see module-mode.ts), the module cache's
 * permissions, parallelism, logging and diagnostics, forcing a rebuild.
 */
const NEUTRAL = new Set(["mod", "modcacherw", "p", "v", "x", "a", "work", "json"]);

/**
 * Flags dray always passes on `go build`'s command line, where they override GOFLAGS (see
 * flags.ts): `-trimpath`, `-buildvcs=false` and `-ldflags` (per-package `-ldflags` only matter when
 * linking, and dray's apply to the main packages it builds).
 */
const OVERRIDDEN = new Set(["trimpath", "buildvcs", "ldflags"]);

/** True for a GOFLAGS entry that cannot change the binary dray builds. */
function neutral(entry: GoflagsEntry): boolean {
  return NEUTRAL.has(entry.name) || OVERRIDDEN.has(entry.name) || entry.name.startsWith("debug-");
}

/**
 * The part of GOFLAGS that can change a binary, as it enters input keys: every entry, in its order,
 * except the neutral ones. Unknown flags stay in (a key that moves for nothing is a rebuild; a key
 * that misses a change is a wrong image). "" when nothing is left.
 */
export function goflagsForKey(value: string | undefined): string {
  return splitGoflags(value)
    .filter((entry) => !neutral(entry))
    .map((entry) => entry.text)
    .join(" ");
}

/** The `-mod` a GOFLAGS value asks for (the last one wins, as in go), or undefined. */
export function explicitMod(value: string | undefined): string | undefined {
  const entries = splitGoflags(value).filter((e) => e.name === "mod");
  const last = entries.at(-1);
  if (!last) return undefined;
  const eq = last.text.indexOf("=");
  return eq === -1 ? "" : last.text.slice(eq + 1);
}

/** GOFLAGS as passed to go in one module: the user's entries without `-mod`, then `-mod=MODE`. */
export function goflagsWithMod(value: string | undefined, mode: string): string {
  const kept = splitGoflags(value)
    .filter((e) => e.name !== "mod")
    .map((e) => e.raw);
  return [...kept, `-mod=${mode}`].join(" ");
}
