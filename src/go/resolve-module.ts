/** A module made ready to run go in: its files read, its mode decided, its go lines checked. */
import path from "node:path";
import { type GoModuleLayout, readModuleLayout } from "./module-layout.js";
import { decideModuleMode, type GoModuleMode, type ModeEnv, unmetGoLines } from "./module-mode.js";
import type { UnmetGoLine } from "./toolchain.js";

/** One module: what its files say, how go runs in it, and the go lines the toolchain does not meet. */
export interface ResolvedGoModule {
  layout: GoModuleLayout;
  mode: GoModuleMode;
  /** Empty when the toolchain is new enough. */
  unmet: UnmetGoLine[];
}

/**
 * Reads and decides the module in `moduleRoot` (absolute) for a project rooted at `projectRoot`,
 * under `env`, for a toolchain reporting `goversion` ("go1.23.5"). Files in messages are project-relative.
 */
export async function resolveGoModule(
  moduleRoot: string,
  projectRoot: string,
  env: ModeEnv,
  goversion: string,
): Promise<ResolvedGoModule> {
  const layout = await readModuleLayout(moduleRoot, projectRoot);
  const mode = decideModuleMode(layout, env);
  const display = (file: string) => path.relative(projectRoot, file).split(path.sep).join("/") || file;
  return { layout, mode, unmet: unmetGoLines(goversion, layout, mode, display) };
}
