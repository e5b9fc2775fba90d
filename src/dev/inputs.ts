/**
 * What each service is built from, kept current for the dev loop: its input files with their
 * content hashes (the index changes are checked against), its Go package for compiling, and the
 * Go toolchain. Refreshed when dray.yaml changes or a new Go file may join a package.
 */
import path from "node:path";
import type { ResolvedConfig, ResolvedService } from "../config/index.js";
import { computeServiceKeys, createFileHasher, type FileHasher } from "../fingerprint/index.js";
import { findGoToolchain, type GoMain, type GoToolchain } from "../go/index.js";
import { buildInputIndex, type InputIndex } from "./input-index.js";

export interface ProjectInputs {
  readonly index: InputIndex;
  readonly toolchain: GoToolchain | undefined;
  goMain(service: string): GoMain | undefined;
  /** Lists packages and hashes files again for `services` (as `config` now says). */
  refresh(config: ResolvedConfig, services: readonly ResolvedService[]): Promise<void>;
}

export async function loadProjectInputs(
  config: ResolvedConfig,
  services: readonly ResolvedService[],
  env: NodeJS.ProcessEnv,
  platform: string,
): Promise<ProjectInputs> {
  const cacheDir = config.state.cache;
  const hasher: FileHasher = await createFileHasher({ cacheFile: path.join(cacheDir, "stat-cache.tsv") });
  let index: InputIndex | undefined;
  let toolchain: GoToolchain | undefined;
  let goMains = new Map<string, GoMain>();

  const inputs: ProjectInputs = {
    get index() {
      return index!;
    },
    get toolchain() {
      return toolchain;
    },
    goMain: (service) => goMains.get(service),
    async refresh(current, list) {
      const result = await computeServiceKeys(list, { config: current, env, hasher, cacheDir });
      toolchain =
        result.toolchain ?? (list.some((s) => s.kind === "go") ? await findGoToolchain(env) : undefined);
      goMains = result.mains;
      index = buildInputIndex(result.keys, platform);
      await hasher.save();
    },
  };
  await inputs.refresh(config, services);
  return inputs;
}
