/** What a project build takes and gives back. */
import type { AssembleTimes, BuildStep } from "../assemble/index.js";
import type { CacheEntry } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { ServiceKey } from "../fingerprint/index.js";
import type { Digest } from "../oci/index.js";
import type { RegistryCache } from "../publish/index.js";
import type { Tracer } from "../report/index.js";

/** One platform's image, as reported to the user. */
export interface PlatformReport {
  platform: string;
  /** The image ID: digest of the config. */
  imageId: Digest;
  manifestDigest: Digest;
  /** Bytes as stored in the layout: layers (a build's own uncompressed) + config + manifest. */
  size: number;
  timings: AssembleTimes & { write: number };
}

/** How a service's image relates to the one it was last built as. */
export type ImageChange = "unchanged" | "changed" | "rebuilt-identical" | "new";

/** One service's result. */
export type ServiceReport =
  | {
      name: string;
      kind: string;
      status: "built";
      /** True when the input key was in the cache: nothing was compiled or packed. */
      cached: boolean;
      /** True when that cache was the registry's (`cache: registry`) and the image was pulled. */
      fromRegistry: boolean;
      change: ImageChange;
      key: Digest;
      ref: string;
      digest: Digest;
      platforms: PlatformReport[];
    }
  | { name: string; kind: string; status: "failed"; error: unknown };

/** The steps of a project build, in the order they run. */
export type PipelineStep = "fingerprint" | "cache lookup" | "build" | "tag" | "cache prune";

/** What `dray build` did. */
export interface BuildOutcome {
  services: ServiceReport[];
  /** The input key of every selected service. */
  keys: ReadonlyMap<string, ServiceKey>;
  /** Every service that built or came from a cache, as its cache entry (what publishing pushes). */
  entries: ReadonlyMap<string, CacheEntry>;
  /** Manifests, configs and indexes of the images built in this run, still in memory, by digest. */
  documents: ReadonlyMap<Digest, Buffer>;
  layout: string;
  /** Milliseconds per pipeline step ("build" spans compiling, packing and writing every image). */
  steps: Record<PipelineStep, number>;
  totalMs: number;
  tracer: Tracer;
}

/** Options for a project build. */
export interface BuildOptions {
  config: ResolvedConfig;
  /** Names to build; empty means all. */
  only?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Defaults to the project's `.dray/oci`. */
  layoutDir?: string;
  jobs?: number;
  /** Ignore cached images (the cache is still updated). */
  noCache?: boolean;
  /** Asked on a local cache miss before building (the registry, with `cache: registry`). */
  registryCache?: RegistryCache;
  tracer?: Tracer;
  onStep?: (service: string, platform: string, step: BuildStep | "cached" | "done" | "failed") => void;
  signal?: AbortSignal;
}
