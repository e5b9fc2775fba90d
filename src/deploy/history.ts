/**
 * `dray history SERVICE`: the versions of a service a target keeps — the one that runs and the one
 * it replaced (which `dray rollback` restores) — with image, commit and since when, read from the
 * target alone.
 */
import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import { chooseTarget } from "./choose-target.js";
import { runnable } from "./desired.js";
import { openTarget } from "./open-target.js";
import type { LiveService } from "./types.js";
import type { VersionRecord } from "./versions.js";

/** One version of a service as `dray history` shows it (never its environment: it may hold secrets). */
export interface HistoryEntry {
  readonly role: "current" | "previous";
  readonly imageId: string | undefined;
  /** The reference the target ran. */
  readonly image?: string;
  readonly specDigest: string | undefined;
  readonly commit?: string;
  readonly dirty?: boolean;
  /** When it started running here, and — for the previous one — when it was replaced. */
  readonly since?: string;
  readonly until?: string;
}

/** The versions `live` records, newest first. Pure. */
export function historyOf(live: LiveService): HistoryEntry[] {
  const current = live.version;
  const entries: HistoryEntry[] = [
    {
      role: "current",
      imageId: live.imageId,
      ...(current?.image ? { image: current.image } : {}),
      specDigest: live.specDigest,
      ...provenance(current),
      ...(live.since ? { since: live.since } : {}),
    },
  ];
  const previous = live.previous;
  if (previous)
    entries.push({
      role: "previous",
      imageId: previous.imageId,
      ...(previous.image ? { image: previous.image } : {}),
      specDigest: previous.specDigest,
      ...provenance(previous),
      ...(previous.since ? { since: previous.since } : {}),
      ...(live.since ? { until: live.since } : {}),
    });
  return entries;
}

function provenance(record: VersionRecord | undefined): { commit?: string; dirty?: boolean } {
  return record?.commit ? { commit: record.commit, dirty: record.dirty ?? false } : {};
}

/** The history of `service` on a target from dray.yaml; a service the target does not run is an error. */
export async function readHistory(options: {
  config: ResolvedConfig;
  target?: string;
  service: string;
  env: NodeJS.ProcessEnv;
}): Promise<{ target: TargetConfig; service: string; state: string; versions: HistoryEntry[] }> {
  const { config, service } = options;
  const target = chooseTarget(config, options.target);
  const opened = await openTarget(target, { config, env: options.env });
  try {
    const names = config.services.filter(runnable).map((s) => s.name);
    const live = (await opened.readLive(config.project, names)).get(service);
    if (!live)
      throw new UserError(`${service} is not deployed on target ${target.name}`, {
        exitCode: ExitCode.failed,
        hint: `\`dray status --target ${target.name}\` lists what runs there.`,
      });
    return {
      target,
      service,
      state: live.state ?? (live.running ? "running" : "not running"),
      versions: historyOf(live),
    };
  } finally {
    opened.close();
  }
}
