/**
 * The deploy stage's one interface. A deployed service's identity is (image ID, deploy-spec digest);
 * the planner compares what dray.yaml and the build want (DesiredService) with what the target
 * reports (LiveService, read from labels/annotations dray wrote) and each target carries out the
 * differences. No local file decides what is deployed.
 */
import type { CacheEntry } from "../cache/index.js";
import type { DeploySettings, ImageSettings, TargetConfig } from "../config/index.js";
import type { Digest, LayoutStore } from "../oci/index.js";
import type { Drift } from "./drift.js";
import type { TargetLock } from "./target-lock.js";

/** Everything about how a service runs that is not in its image: hashed into the spec digest. */
export interface DeploySpec {
  readonly service: string;
  readonly project: string;
  /** The image's own settings (entrypoint, env, ports…): a config change redeploys. */
  readonly image: Pick<ImageSettings, "entrypoint" | "args" | "env" | "ports" | "user" | "workdir">;
  readonly deploy: DeploySettings;
}

/** The commit of the checkout a deploy ran from, and whether its tracked files differed from it. */
export interface SourceStamp {
  readonly commit: string;
  readonly dirty: boolean;
}

/** The images a build wrote: its layout, and each service's cache entry naming its manifests. */
export interface BuiltImages {
  readonly layout: LayoutStore;
  readonly entries: ReadonlyMap<string, CacheEntry>;
}

/** One version of a service on a target, as dray recorded it. */
export interface VersionRecord {
  readonly imageId: Digest;
  readonly specDigest: Digest;
  /** The reference the target ran ("registry/ns/api@sha256:…", or the local image ID). */
  readonly image?: string;
  readonly spec?: DeploySpec;
  readonly user?: string;
  readonly commit?: string;
  readonly dirty?: boolean;
  /** Since when it ran (RFC 3339), when known. */
  readonly since?: string;
  /** Kubernetes: every object dray applied for it, re-applied as they were by a rollback. */
  readonly objects?: readonly Record<string, unknown>[];
}

/** What one service should look like on the target. */
export interface DesiredService {
  readonly name: string;
  /**
   * The image's identity on this target: the config digest for the target's platform, or, for a
   * target that runs several platforms (Kubernetes), a digest over every platform's config digest.
   */
  readonly imageId: Digest;
  /** What the target runs: "registry/ns/api@sha256:…" or, loaded into a local engine, "sha256:<config>". */
  readonly image: string;
  readonly spec: DeploySpec;
  readonly specDigest: Digest;
  /**
   * The user the image's config says it runs as (dray.yaml's `user:`, else the base image's), when
   * it was read: a numeric one lets Kubernetes pods run as non-root.
   */
  readonly user?: string;
  /**
   * The commit of the checkout that deploys it (and whether the tree differed from it): written
   * next to the identity, never part of it — no digest or key depends on it.
   */
  readonly source?: SourceStamp;
  /** The exact objects to apply instead of rendering them (a Kubernetes rollback re-applies what ran). */
  readonly objects?: readonly Record<string, unknown>[];
}

/** What the target says is running, from dray's labels/annotations. */
export interface LiveService {
  readonly name: string;
  readonly imageId: Digest | undefined;
  readonly specDigest: Digest | undefined;
  /**
   * The image reference dray deployed, from its record on the target ("registry/shop/api@sha256:…",
   * or "sha256:<config>" for an image loaded into an engine); absent when the target keeps none.
   */
  readonly image?: string;
  /** The target's handles: container IDs, a swarm service ID, "deployment/api". */
  readonly ids: readonly string[];
  /** False when the target knows the service but it is not running/healthy (a stopped container). */
  readonly running: boolean;
  /** How it runs, in a few words: "running", "exited (code 137)", "1/3 tasks running". */
  readonly state?: string;
  /** What was changed behind dray's back since it deployed the service; empty or absent when nothing was. */
  readonly drift?: readonly Drift[];
  /** The version that runs, as dray recorded it (commit, spec); absent on objects dray did not label so. */
  readonly version?: VersionRecord;
  /** The version it replaced, kept for `dray rollback` and `dray history`. */
  readonly previous?: VersionRecord;
  /** Since when the version runs (RFC 3339): container start, swarm service update, Deployment rollout. */
  readonly since?: string;
}

/** Why a service is (re)deployed or left alone; shown to the user. */
export type Reason =
  | "new"
  | "image changed"
  | "spec changed"
  | "not running"
  | "removed from dray.yaml"
  | "replacement forced"
  /** `dray rollback`: back to the version this one replaced. */
  | "rollback to the previous version"
  /** Changed behind dray's back: "drifted: replicas 3 → 1". */
  | `drifted: ${string}`;

/** One step of a deploy plan. */
export type DeployAction =
  | { readonly kind: "create"; readonly desired: DesiredService; readonly reasons: readonly Reason[] }
  | {
      readonly kind: "replace";
      readonly desired: DesiredService;
      readonly live: LiveService;
      readonly reasons: readonly Reason[];
    }
  | { readonly kind: "keep"; readonly desired: DesiredService; readonly live: LiveService }
  | { readonly kind: "remove"; readonly live: LiveService; readonly reasons: readonly Reason[] };

/** A create or a replace: the steps that start a new version of a service, which a target applies. */
export type StartAction = Extract<DeployAction, { kind: "create" | "replace" }>;

/** What a target needs while it works: cancellation, a place for progress lines, timed steps. */
export interface ApplyContext {
  /** Aborted by Ctrl-C: a target finishes the service in hand (old or new version running) and starts nothing new. */
  readonly signal: AbortSignal;
  /** One line of progress for a service ("waiting for health"). */
  readonly log: (service: string, line: string) => void;
  /** Times `fn` as a step of `service` ("pull", "start", "health"). */
  readonly step: <T>(service: string, name: string, fn: () => Promise<T>) => Promise<T>;
}

/** A deploy of one service that did not become healthy; the old version is running again. */
export interface FailureDetails {
  readonly service: string;
  /** The new version's last log lines, oldest first. */
  readonly logs: readonly string[];
  /** True when the previous version was restored (or never stopped). */
  readonly rolledBack: boolean;
  /** What the target says went wrong, beyond the failure itself ("container api keeps exiting (exit code 2)"). */
  readonly cause?: string;
  /** Why there are no log lines, when reading them failed. */
  readonly logNote?: string;
}

/** One deploy target (docker, swarm, kubernetes), opened for one run. */
export interface DeployTarget {
  readonly config: TargetConfig;
  /** The platform images must be for ("linux/amd64"), or undefined when any of the image's platforms may run. */
  readonly platform: string | undefined;
  /**
   * Every service of `project` dray deployed here, by name. `services` (the ones dray.yaml lists)
   * lets a target also find an object that took a service's place without dray's labels.
   */
  readLive(project: string, services?: readonly string[]): Promise<Map<string, LiveService>>;
  /**
   * The lock of `project` on this target that every deployer sees (a container, a swarm config,
   * a Lease); undefined for a target without one, which then relies on the local lock alone.
   * Taken only by a deploy that will change something; a target that checks what a deploy may do
   * before its first write (Kubernetes) checks it before creating the lock.
   */
  lock?(project: string): TargetLock;
  /**
   * Make the images available to the target before anything is started: load them into a local
   * engine (from `images`, the build's; without them the engine must hold them already, as for a
   * rollback), or check they can be pulled. Called once with every create/replace of the plan.
   */
  prepare(actions: readonly DeployAction[], context: ApplyContext, images?: BuiltImages): Promise<void>;
  /** Create or replace one service and wait until it is healthy; throws DeployFailure when it is not. */
  apply(action: StartAction, context: ApplyContext): Promise<void>;
  /** Remove a service that left dray.yaml (`--prune`). */
  remove(live: LiveService, context: ApplyContext): Promise<void>;
  close(): void;
}

/**
 * A program run in front of each service's own command, its binary put into the container before
 * it starts (dev mode's supervisor, which restarts the command on request). Docker targets only.
 */
export interface CommandWrapper {
  /** Absolute path of the program in the container. */
  readonly path: string;
  readonly binary: Buffer;
  /**
   * sha256 hex naming the binary and how it is set up (with `forService`): part of the spec
   * digest, so wrapped and plain containers differ, and so do containers set up differently.
   */
  readonly digest: string;
  /** Environment the wrapper reads (not part of the spec digest: it may differ per session). */
  readonly env: Readonly<Record<string, string>>;
  /** What one service's container gets besides: host directories bound into it, more environment. */
  readonly forService?: (desired: DesiredService) => WrapperExtras | undefined;
}

/** A wrapped container's own additions; their shape is fixed by the wrapper's digest. */
export interface WrapperExtras {
  /** Engine bind specs, "HOST:CONTAINER:ro". */
  readonly binds: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** The labels (docker, swarm) and annotations (kubernetes) dray writes, read back as the live state. */
export const LABELS = {
  project: "dray.project",
  service: "dray.service",
  imageId: "dray.image-id",
  specDigest: "dray.spec-digest",
  /** Set on containers that run behind a CommandWrapper. */
  wrapped: "dray.wrapped",
  /** The fields dray set (image, env, ports, replicas…) as JSON: drift is any difference from them. */
  owned: "dray.owned",
  /** The commit of the checkout that deployed the version (provenance; not part of its identity). */
  commit: "dray.commit",
  /** "true" when that checkout's tracked files differed from the commit. */
  dirty: "dray.dirty",
  /** The version's image reference, deploy spec and user as JSON: what a later rollback restores. */
  spec: "dray.spec",
  /** The version this one replaced (VersionRecord as JSON), for `dray rollback` and `dray history`. */
  previous: "dray.previous",
} as const;
