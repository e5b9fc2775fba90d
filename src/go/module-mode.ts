/**
 * How go must run in one module, decided once from the module's files and the user's environment
 * and then passed explicitly to every `go list` and `go build` there. Pure.
 *
 * go's own rules (Go 1.14+, see `go help modules` and the reference, "Vendoring"): a module is
 * built with `-mod=vendor` when its vendor directory exists and its go line is 1.14 or later (for a
 * go.work workspace: the vendor directory beside go.work, made for the workspace, and go.work's go
 * line); otherwise `-mod=readonly`; an explicit `-mod` in GOFLAGS wins. dray keeps those rules with
 * one difference: an inherited GOFLAGS is meant for the repository as a whole, so a `-mod` it asks
 * for that cannot apply to a module (`vendor` where the module has no vendor directory, `mod` inside
 * a workspace) is left out for that module instead of failing it.
 */
import path from "node:path";
import { compareGoVersions, toolchainSatisfies } from "./go-version.js";
import { explicitMod, goflagsWithMod } from "./goflags.js";
import type { GoModuleLayout } from "./module-layout.js";
import type { UnmetGoLine } from "./toolchain.js";

/** The decision for one module. */
export interface GoModuleMode {
  /** The `-mod` go runs with: "vendor", "readonly", or what GOFLAGS asked for. */
  mod: string;
  /** The go.work the module is built in (absolute); undefined: on its own (GOWORK=off). */
  workspace: string | undefined;
  /** Set when the environment asked for something that does not apply to this module, and why. */
  note?: string;
  /** GOFLAGS (the user's, with `-mod` decided) and GOWORK, for every go command in this module. */
  env: Readonly<Record<"GOFLAGS" | "GOWORK", string>>;
}

/** The environment variables the decision reads. */
export interface ModeEnv {
  GOFLAGS?: string | undefined;
  GOWORK?: string | undefined;
}

/** True when the vendor directory that applies exists and a go line of 1.14 or later turns it on. */
function vendoredByDefault(layout: GoModuleLayout, inWorkspace: boolean): boolean {
  const ws = inWorkspace ? layout.workspace : undefined;
  const present = ws ? ws.vendor === "workspace" : layout.vendor === "module";
  const goLine = ws ? ws.goVersion : layout.goVersion;
  return present && goLine !== undefined && (compareGoVersions(goLine, "1.14") ?? -1) >= 0;
}

/** Decide `-mod` and GOWORK for the module in `layout` under `env` (only GOFLAGS and GOWORK are read). */
export function decideModuleMode(layout: GoModuleLayout, env: ModeEnv): GoModuleMode {
  // GOWORK=off is the user saying "no workspaces"; any other GOWORK is replaced by the project's own go.work.
  const workspace = env.GOWORK === "off" ? undefined : layout.workspace;
  const inWorkspace = workspace !== undefined;
  const vendorApplies = inWorkspace ? workspace.vendor === "workspace" : layout.vendor === "module";
  const byDefault = vendoredByDefault(layout, inWorkspace) ? "vendor" : "readonly";
  const asked = explicitMod(env.GOFLAGS);
  let mod = byDefault;
  let note: string | undefined;
  if (asked === "vendor" && !vendorApplies) {
    note = inWorkspace
      ? "GOFLAGS asks for -mod=vendor, but the workspace has no vendor directory made by `go work vendor`"
      : "GOFLAGS asks for -mod=vendor, but the module has no vendor directory";
  } else if (asked === "mod" && inWorkspace) {
    note = "GOFLAGS asks for -mod=mod, which go does not allow in a go.work workspace";
  } else if (asked !== undefined) {
    mod = asked;
  }
  return {
    mod,
    workspace: workspace?.file,
    ...(note ? { note: `${note}; go runs there with -mod=${mod}` } : {}),
    env: { GOFLAGS: goflagsWithMod(env.GOFLAGS, mod), GOWORK: workspace?.file ?? "off" },
  };
}

/**
 * The go lines in this module's go.mod (and go.work, in a workspace) that a toolchain reporting
 * `goversion` is too old for, with files shown by `display`.
 */
export function unmetGoLines(
  goversion: string,
  layout: GoModuleLayout,
  mode: Pick<GoModuleMode, "workspace">,
  display: (file: string) => string,
): UnmetGoLine[] {
  const lines: { file: string; version: string | undefined }[] = [
    { file: path.join(layout.root, "go.mod"), version: layout.goVersion },
  ];
  if (mode.workspace) lines.push({ file: mode.workspace, version: layout.workspace?.goVersion });
  return lines
    .filter((l): l is { file: string; version: string } => l.version !== undefined)
    .filter((l) => !toolchainSatisfies(goversion, l.version))
    .map((l) => ({ module: layout.path, file: display(l.file), version: l.version }));
}
