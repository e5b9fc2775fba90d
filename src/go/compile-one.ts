/** Compiling one Go service on the host exactly as its image build does, for a live update. */
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Platform } from "../oci/index.js";
import { type GoBuildable, runGoBuild } from "./go-build.js";
import type { GoMain } from "./main-package.js";
import type { GoToolchain } from "./toolchain.js";

/** The binary, or the compiler's output when it failed. */
export type CompileResult = { ok: true; binary: Buffer } | { ok: false; output: string };

/** Where the compiler wrote, or its output when it failed. */
export type CompileToResult = { ok: true } | { ok: false; output: string };

type MainPackage = Pick<GoMain, "moduleRoot" | "relPackage" | "env">;

/** `go build` with the image's flags and platform into `out`; nothing is read back. */
export async function compileGoServiceTo(
  service: GoBuildable,
  main: MainPackage,
  platform: Platform,
  toolchain: GoToolchain,
  out: string,
  env: NodeJS.ProcessEnv,
): Promise<CompileToResult> {
  const result = await runGoBuild(service, platform, {
    toolchain,
    cwd: main.moduleRoot,
    packages: [main.relPackage],
    out,
    env: { ...env, ...main.env },
  });
  if (result.code !== 0) return { ok: false, output: (result.stderr || result.stdout).trim() };
  return { ok: true };
}

/** `go build` with the image's flags and platform into a scratch directory; the compiler's output on failure. */
export async function compileGoService(
  service: GoBuildable,
  main: MainPackage,
  platform: Platform,
  toolchain: GoToolchain,
  scratch: string,
  env: NodeJS.ProcessEnv,
): Promise<CompileResult> {
  await mkdir(scratch, { recursive: true });
  const out = path.join(scratch, service.name);
  await rm(out, { force: true });
  const result = await compileGoServiceTo(service, main, platform, toolchain, out, env);
  if (!result.ok) return result;
  return { ok: true, binary: await readFile(out) };
}
