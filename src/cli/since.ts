/** `--since` of `dray logs`: how far back, as a duration ("10m", "1h30m") or an RFC 3339 time. */
import { ExitCode, UserError } from "../errors/index.js";

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^(?:\d+(?:\.\d+)?[smhd])+$/;
/** RFC 3339's date-time: a date, "T", a time with optional fraction, and "Z" or an offset. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Seconds since 1970 that `text` names, `nowMs` being the time now; a usage error when it names none. */
export function parseSince(text: string, nowMs: number): number {
  const trimmed = text.trim();
  if (DURATION.test(trimmed)) {
    let seconds = 0;
    for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/g))
      seconds += Number(amount) * UNIT_SECONDS[unit!]!;
    return nowMs / 1000 - seconds;
  }
  const at = RFC3339.test(trimmed) ? Date.parse(trimmed.toUpperCase()) : Number.NaN;
  if (!Number.isNaN(at)) return at / 1000;
  throw new UserError(`--since: ${JSON.stringify(text)} is neither a duration nor an RFC 3339 time`, {
    exitCode: ExitCode.usage,
    hint: 'Write how far back, e.g. "10m", "1h" or "1h30m", or a time such as 2026-12-06T15:04:05Z.',
  });
}
