/** Compiling one Go service for one platform. */
import type { GoService } from "../config/types.js";
import { UserError } from "../errors.js";
import type { Platform } from "../oci/types.js";
import { exec, tailLines } from "../util/exec.js";
import { goBuildArgs, goPlatformEnv, platformName } from "./go-flags.js";
import type { GoTarget } from "./go-packages.js";
import type { GoToolchain } from "./go-toolchain.js";

/** Compile `service` for `platform` into `outFile`. A compile error becomes a UserError carrying the compiler's output. */
export async function compileGo(
  toolchain: GoToolchain,
  service: GoService,
  target: GoTarget,
  platform: Platform,
  outFile: string,
  options: { env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<void> {
  const args = [...goBuildArgs(service), "-o", outFile, target.relPackage];
  const result = await exec(toolchain.go, args, {
    cwd: target.moduleRoot,
    env: { ...options.env, GOCACHE: toolchain.gocache, ...goPlatformEnv(service, platform) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.code !== 0) {
    throw new UserError(`service ${service.name}: go build failed for ${platformName(platform)}`, {
      details: tailLines(result.stderr || result.stdout, 60),
      hint: `Fix the error above, or reproduce it with: (cd ${target.moduleRoot} && go build ${target.relPackage})`,
    });
  }
}
