/** Compiling one Go service on the host exactly as its image build does, for a live update. */
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { GoService } from "../config/types.js";
import { exec } from "../io/exec.js";
import type { Platform } from "../oci/types.js";
import { goBuildArgs, goPlatformEnv } from "./flags.js";
import type { GoToolchain } from "./toolchain.js";

export interface GoTargetInfo {
  moduleRoot: string;
  /** "./services/api", relative to moduleRoot. */
  relPackage: string;
}

export type CompileResult = { ok: true; binary: Buffer } | { ok: false; output: string };

/** `go build` with the image's flags and platform into a scratch directory; the compiler's output on failure. */
export async function compileGoService(
  service: GoService,
  target: GoTargetInfo,
  platform: Platform,
  toolchain: GoToolchain,
  scratch: string,
  env: NodeJS.ProcessEnv,
): Promise<CompileResult> {
  await mkdir(scratch, { recursive: true });
  const out = path.join(scratch, service.name);
  await rm(out, { force: true });
  const result = await exec(toolchain.go, [...goBuildArgs(service), "-o", out, target.relPackage], {
    cwd: target.moduleRoot,
    env: { ...env, GOCACHE: toolchain.gocache, ...goPlatformEnv(service, platform) },
  });
  if (result.code !== 0) return { ok: false, output: (result.stderr || result.stdout).trim() };
  return { ok: true, binary: await readFile(out) };
}
