/** What changed between a baseline and now, per service, and why. Pure: keys in, statuses out. */

import type { IngredientChange, Ingredients, ServiceKey } from "../fingerprint/index.js";
import { describeChange, diffIngredients, summarizeChanges } from "../fingerprint/index.js";
import type { Digest } from "../oci/index.js";

/** A service's state relative to the baseline. */
export type ChangeStatus = "unchanged" | "changed" | "rebuilt-identical" | "new" | "removed";

/** What the baseline knew of a service: its keys and, if it was built, its image IDs. */
export interface BaselineService {
  key: Digest;
  platforms: { platform: string; key: Digest; ingredients: Ingredients; imageId?: Digest }[];
}

/** One service compared with the baseline: its status and what differs, platform by platform. */
export interface ServiceChange {
  service: string;
  status: ChangeStatus;
  key?: Digest;
  baselineKey?: Digest;
  /** Differences, platform by platform; the same change on every platform is listed under each. */
  platforms: { platform: string; changes: IngredientChange[] }[];
  /** One short line for a table. */
  reason: string;
}

/** Image IDs of the current keys where they are known (built or cached), by service and platform. */
export type KnownImages = ReadonlyMap<string, ReadonlyMap<string, Digest>>;

/** Compare every current service with the baseline; baseline services that are gone are "removed". */
export function detectChanges(
  current: ReadonlyMap<string, ServiceKey>,
  baseline: ReadonlyMap<string, BaselineService>,
  images: KnownImages,
): ServiceChange[] {
  const detected: ServiceChange[] = [];
  for (const [service, now] of current) {
    const before = baseline.get(service);
    if (!before) {
      detected.push({ service, status: "new", key: now.key, platforms: [], reason: "not in the baseline" });
      continue;
    }
    if (before.key === now.key) {
      detected.push({
        service,
        status: "unchanged",
        key: now.key,
        baselineKey: before.key,
        platforms: [],
        reason: "",
      });
      continue;
    }
    const platforms = now.platforms.map((p) => {
      const old = before.platforms.find((b) => b.platform === p.platform);
      const changes: IngredientChange[] = old
        ? diffIngredients(old.ingredients, p.ingredients)
        : [{ kind: "setting", name: "platform", from: undefined, to: p.platform }];
      return { platform: p.platform, changes };
    });
    for (const old of before.platforms) {
      if (!now.platforms.some((p) => p.platform === old.platform)) {
        platforms.push({
          platform: old.platform,
          changes: [{ kind: "setting", name: "platform", from: old.platform, to: undefined }],
        });
      }
    }
    const identical = sameImageIds(before, images.get(service));
    const union = dedupe(platforms.flatMap((p) => p.changes));
    detected.push({
      service,
      status: identical ? "rebuilt-identical" : "changed",
      key: now.key,
      baselineKey: before.key,
      platforms,
      reason: (identical ? "image unchanged despite: " : "") + summarizeChanges(union),
    });
  }
  for (const [service, before] of baseline) {
    if (!current.has(service)) {
      detected.push({
        service,
        status: "removed",
        baselineKey: before.key,
        platforms: [],
        reason: "no longer in dray.yaml",
      });
    }
  }
  return detected.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** Known, and equal on every platform of both sides. */
function sameImageIds(before: BaselineService, now: ReadonlyMap<string, Digest> | undefined): boolean {
  if (!now || now.size !== before.platforms.length) return false;
  return before.platforms.every((p) => p.imageId !== undefined && now.get(p.platform) === p.imageId);
}

function dedupe(changes: IngredientChange[]): IngredientChange[] {
  const seen = new Map<string, IngredientChange>();
  for (const change of changes) seen.set(describeChange(change), change);
  return [...seen.values()];
}

/** Counts per status, for the closing line. */
export function countStatuses(services: readonly ServiceChange[]): Record<ChangeStatus, number> {
  const counts: Record<ChangeStatus, number> = {
    unchanged: 0,
    changed: 0,
    "rebuilt-identical": 0,
    new: 0,
    removed: 0,
  };
  for (const entry of services) counts[entry.status]++;
  return counts;
}
