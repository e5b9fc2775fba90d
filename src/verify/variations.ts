/**
 * What `dray verify` changes for its second build, and only what it really changes. Setting
 * LC_ALL to a locale that is not installed, or TZ to a zone that is not in the database, does
 * nothing (the C library quietly falls back to C and UTC), and without faketime the clock is not
 * shifted: each such variation is probed first and reported as skipped, with how to make it apply.
 */
import { access } from "node:fs/promises";
import path from "node:path";
import { exec } from "../io/index.js";

/** The conditions the second build varies. */
export type VariationName = "path" | "umask" | "mtimes" | "TZ" | "locale" | "clock" | "Go cache";

/** One condition of the second build, as it was applied or why it was not. */
export interface Variation {
  name: VariationName;
  applied: boolean;
  /** What the second build had ("umask 077"); for a skipped one, what it would have had. */
  value: string;
  /** Why it was not applied, and what to install so that it is; only when `applied` is false. */
  skipped?: string;
}

/** Questions about the machine; the real ones are in `systemProbes`, tests pass their own. */
export interface VariationProbes {
  /** True when the C library can load `locale`. */
  hasLocale(locale: string): Promise<boolean>;
  /** True when `zone` is in the time zone database. */
  hasTimeZone(zone: string): Promise<boolean>;
  /** True when `faketime -f +<days>d` really moves the clock of a Node.js process that many days. */
  clockShifts(days: number): Promise<boolean>;
}

/** How the second build differs from the first, fixed before probing. */
export interface VariationSetup {
  copy: string;
  /** Permission bits the umask removes. */
  umask: number;
  /** Every copied file's mtime, seconds since the epoch. */
  mtime: number;
  /** An empty directory for GOCACHE. */
  gocache: string;
}

/** What the second build is started with: extra environment, a command prefix, and the report. */
export interface PlannedVariations {
  env: Record<string, string>;
  /** Put in front of the dray command (faketime), empty when the clock is not shifted. */
  prefix: string[];
  variations: Variation[];
}

export const VERIFY_TIME_ZONE = "Pacific/Chatham";
export const VERIFY_LOCALE = "tr_TR.UTF-8";
export const VERIFY_CLOCK_DAYS = 400;

/** Probes the machine and decides what the second build varies. */
export async function planVariations(
  setup: VariationSetup,
  probes: VariationProbes,
): Promise<PlannedVariations> {
  const [locale, zone, clock] = await Promise.all([
    probes.hasLocale(VERIFY_LOCALE),
    probes.hasTimeZone(VERIFY_TIME_ZONE),
    probes.clockShifts(VERIFY_CLOCK_DAYS),
  ]);
  const env: Record<string, string> = { GOCACHE: setup.gocache };
  if (zone) env["TZ"] = VERIFY_TIME_ZONE;
  if (locale) Object.assign(env, { LANG: VERIFY_LOCALE, LC_ALL: VERIFY_LOCALE });
  const variations: Variation[] = [
    { name: "path", applied: true, value: setup.copy },
    { name: "umask", applied: true, value: `umask 0${setup.umask.toString(8)}` },
    { name: "mtimes", applied: true, value: `files dated ${new Date(setup.mtime * 1000).toISOString()}` },
    choose(
      "TZ",
      zone,
      `TZ=${VERIFY_TIME_ZONE}`,
      `${VERIFY_TIME_ZONE} is not in this machine's time zone database; install tzdata`,
    ),
    choose(
      "locale",
      locale,
      `LC_ALL=${VERIFY_LOCALE}`,
      `the locale ${VERIFY_LOCALE} is not installed, so the C library would fall back to C; install locales-all, or generate it with locale-gen (scripts/install-deps.sh does)`,
    ),
    choose(
      "clock",
      clock,
      `clock ${VERIFY_CLOCK_DAYS} days ahead (faketime)`,
      "faketime is not installed or does not shift Node.js's clock here; install faketime",
    ),
    { name: "Go cache", applied: true, value: "empty GOCACHE" },
  ];
  const prefix = clock ? ["faketime", "-f", `+${VERIFY_CLOCK_DAYS}d`] : [];
  return { env, prefix, variations };
}

function choose(name: VariationName, applied: boolean, value: string, skipped: string): Variation {
  return applied ? { name, applied, value } : { name, applied, value, skipped };
}

/** The conditions as a reader wants them: one line of what was varied, one per variation skipped. */
export function describeVariations(variations: readonly Variation[]): string[] {
  const applied = variations.filter((v) => v.applied).map((v) => v.value);
  const lines = [`second build: ${applied.join(", ")}`];
  for (const v of variations) {
    if (!v.applied) lines.push(`not varied: ${v.name} (${v.value}): ${v.skipped}`);
  }
  return lines;
}

/** The machine's answers. */
export const systemProbes: VariationProbes = {
  async hasLocale(locale) {
    const listed = await exec("locale", ["-a"]).catch(() => undefined);
    if (listed?.code !== 0) return false;
    const wanted = normalizeLocale(locale);
    return listed.stdout.split("\n").some((line) => normalizeLocale(line.trim()) === wanted);
  },
  async hasTimeZone(zone) {
    const dirs = [
      process.env["TZDIR"],
      "/usr/share/zoneinfo",
      "/usr/lib/zoneinfo",
      "/usr/share/lib/zoneinfo",
    ];
    const found = await Promise.all(
      dirs.map((dir) => (dir ? access(path.join(dir, zone)).then(yes, no) : false)),
    );
    return found.includes(true);
  },
  async clockShifts(days) {
    const script = "process.stdout.write(String(Date.now()))";
    const result = await exec("faketime", ["-f", `+${days}d`, process.execPath, "-e", script]).catch(
      () => undefined,
    );
    const shifted = Number(result?.code === 0 ? result.stdout : Number.NaN);
    // A day less than asked, so a run that crosses midnight or a leap second still counts.
    return shifted - Date.now() >= (days - 1) * 86_400_000;
  },
};

const yes = () => true;
const no = () => false;

/** glibc's normalized form: "tr_TR.UTF-8" and "tr_TR.utf8" name the same locale. */
function normalizeLocale(name: string): string {
  const dot = name.indexOf(".");
  if (dot < 0) return name;
  const [codeset = "", modifier] = name.slice(dot + 1).split("@");
  const normalized = codeset.toLowerCase().replace(/[^a-z0-9]/g, "");
  return `${name.slice(0, dot)}.${normalized}${modifier === undefined ? "" : `@${modifier}`}`;
}
