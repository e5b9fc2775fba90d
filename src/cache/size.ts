/** Byte sizes as users write them ("500MB", "2GiB", "5368709120"), and the cache's size limit. */
import { ExitCode, UserError } from "../errors/index.js";

/** The limit when DRAY_CACHE_MAX is not set: 5 GiB. */
export const DEFAULT_CACHE_LIMIT = 5 * 1024 ** 3;

/** The environment variable that overrides the default limit. */
export const CACHE_LIMIT_VARIABLE = "DRAY_CACHE_MAX";

/** What parseSize accepts, for error messages and help. */
export const SIZE_FORMS =
  "a number of bytes (5368709120) or a number with a unit: 500MB, 2GiB, 1.5GB " +
  "(B, KB, MB, GB, TB in powers of 1000; KiB, MiB, GiB, TiB in powers of 1024)";

// Decimal units are powers of 1000 and binary ones powers of 1024, as in IEC 80000-13 (and formatBytes).
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** "2GiB" → 2147483648; undefined for anything that is not a non-negative whole number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const [, number, unit] = match;
  const factor = UNITS[unit!.toLowerCase() || "b"];
  if (factor === undefined) return undefined;
  // A fraction of a byte means nothing; a fraction of a larger unit is rounded down to whole bytes.
  if (factor === 1 && number!.includes(".")) return undefined;
  const bytes = Math.floor(Number(number) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** parseSize, or a UserError that names where the value came from (`source`) and what is accepted. */
export function parseSizeOrThrow(text: string, source: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined) {
    throw new UserError(`${source} is not a size: ${JSON.stringify(text)}`, {
      exitCode: ExitCode.usage,
      hint: `use ${SIZE_FORMS}`,
    });
  }
  return bytes;
}

/** The build cache's size limit: DRAY_CACHE_MAX when set (a bad value is a UserError), else 5 GiB. */
export function defaultCacheLimit(env: NodeJS.ProcessEnv): number {
  const value = env[CACHE_LIMIT_VARIABLE];
  if (value === undefined || value.trim() === "") return DEFAULT_CACHE_LIMIT;
  return parseSizeOrThrow(value, CACHE_LIMIT_VARIABLE);
}
