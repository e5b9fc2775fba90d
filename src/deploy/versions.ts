/**
 * The versions a target keeps of each service: the one that runs and the one it replaced, written
 * by dray next to the service's identity (labels on containers and swarm services, annotations on
 * Deployments). Provenance — the commit a version was deployed from — rides along and is never
 * part of the identity, so no digest, key or plan depends on it. Pure.
 */
import type { Digest } from "../oci/index.js";
import { canonicalJson } from "../oci/index.js";
import type { DeploySpec, DesiredService, StartAction, VersionRecord } from "./types.js";
import { LABELS } from "./types.js";

export type { SourceStamp, VersionRecord } from "./types.js";

/** How a target spells dray's label names (Kubernetes: `dray.dev/…` annotations). */
export type KeyOf = (label: string) => string;
const same: KeyOf = (label) => label;

/** The labels that record the version `desired` and, when there is one, the version it replaces. */
export function versionLabels(
  desired: DesiredService,
  previous: VersionRecord | undefined,
  key: KeyOf = same,
): Record<string, string> {
  const spec = { image: desired.image, spec: desired.spec, ...(desired.user ? { user: desired.user } : {}) };
  return {
    [key(LABELS.spec)]: canonicalJson(spec),
    ...(desired.source
      ? { [key(LABELS.commit)]: desired.source.commit, [key(LABELS.dirty)]: String(desired.source.dirty) }
      : {}),
    ...(previous ? { [key(LABELS.previous)]: canonicalJson(previous) } : {}),
  };
}

/** The version a set of labels records; undefined without dray's identity and version labels. */
export function readVersion(
  labels: Readonly<Record<string, string>> | undefined,
  since: string | undefined,
  key: KeyOf = same,
): VersionRecord | undefined {
  const imageId = digestOf(labels?.[key(LABELS.imageId)]);
  const specDigest = digestOf(labels?.[key(LABELS.specDigest)]);
  if (!labels || !imageId || !specDigest) return undefined;
  const spec = parseJson(labels[key(LABELS.spec)]) as
    | { image?: string; spec?: DeploySpec; user?: string }
    | undefined;
  const commit = labels[key(LABELS.commit)];
  // Deployed before dray kept versions: the identity alone is the live state's, not a record.
  if (!spec && !commit) return undefined;
  return {
    imageId,
    specDigest,
    ...(typeof spec?.image === "string" ? { image: spec.image } : {}),
    ...(spec?.spec ? { spec: spec.spec } : {}),
    ...(typeof spec?.user === "string" ? { user: spec.user } : {}),
    ...(commit ? { commit, dirty: labels[key(LABELS.dirty)] === "true" } : {}),
    ...(since ? { since } : {}),
  };
}

/** The previous version a set of labels records, if any (a malformed record counts as none). */
export function readPrevious(
  labels: Readonly<Record<string, string>> | undefined,
  key: KeyOf = same,
): VersionRecord | undefined {
  const record = parseJson(labels?.[key(LABELS.previous)]) as Partial<VersionRecord> | undefined;
  if (!record || !digestOf(record.imageId) || !digestOf(record.specDigest)) return undefined;
  return record as VersionRecord;
}

/**
 * The version to keep as "previous" once `action` is done: what runs now when the action changes
 * the identity; otherwise (a restart after drift, a forced replacement) the one kept already, so
 * that a redeploy of the same version does not forget the one before it.
 */
export function previousFor(action: StartAction): VersionRecord | undefined {
  if (action.kind !== "replace") return undefined;
  const { live, desired } = action;
  const current = live.version;
  if (current && (current.imageId !== desired.imageId || current.specDigest !== desired.specDigest))
    return { ...current, ...(live.since && !current.since ? { since: live.since } : {}) };
  return live.previous;
}

/** The desired service that puts `record` back; undefined when it lacks what a deploy needs. */
export function desiredFromRecord(name: string, record: VersionRecord): DesiredService | undefined {
  if (record.image === undefined || record.spec === undefined) return undefined;
  return {
    name,
    imageId: record.imageId,
    image: record.image,
    spec: record.spec,
    specDigest: record.specDigest,
    ...(record.user !== undefined ? { user: record.user } : {}),
    ...(record.commit !== undefined
      ? { source: { commit: record.commit, dirty: record.dirty ?? false } }
      : {}),
    ...(record.objects !== undefined ? { objects: record.objects } : {}),
  };
}

function digestOf(value: unknown): Digest | undefined {
  return typeof value === "string" && /^sha256:[0-9a-f]{64}$/.test(value) ? (value as Digest) : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
