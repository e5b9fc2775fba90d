/**
 * The Go toolchain as every stage uses it: finding `go`, `go list`, `go build` with dray's flags,
 * and where a service's main package lives. A leaf: it imports no other stage (see README.md).
 */
export {
  type BatchDeps,
  type CompiledBinary,
  type CompileTimer,
  createBatchingCompiler,
  type GoCompiler,
} from "./batch-compiler.js";
export { type CgoUse, listCgoUse, needsCgo } from "./cgo-use.js";
export { failureHints } from "./compile-failure.js";
export {
  type CompileResult,
  type CompileToResult,
  compileGoService,
  compileGoServiceTo,
} from "./compile-one.js";
export { findGoModules } from "./find-modules.js";
export {
  buildTags,
  type GoBuildSettings,
  goBuildArgs,
  goPlatformEnv,
  linksCgoStatically,
} from "./flags.js";
export { type GoBuildable, type GoBuildRun, runGoBuild } from "./go-build.js";
export { goflagsForKey } from "./goflags.js";
export {
  type GroupListing,
  type GroupSpec,
  listGroup,
  type StoredMain,
  type StoredPackage,
} from "./list-cache.js";
export { type GoOptions, type GoPackage, listPackages } from "./list-packages.js";
export { findModuleRoot, type GoMain, relativePackage } from "./main-package.js";
export { type ModuleFacts, parseModuleFacts, readModuleFacts } from "./module-facts.js";
export { type GoModuleLayout, readModuleLayout, type VendorKind } from "./module-layout.js";
export { decideModuleMode, type GoModuleMode, unmetGoLines } from "./module-mode.js";
export { type ResolvedGoModule, resolveGoModule } from "./resolve-module.js";
export {
  findGoToolchain,
  GO_INSTALL_HINT,
  type GoToolchain,
  goCommand,
  goNotFound,
  toolchainTooOld,
  type UnmetGoLine,
} from "./toolchain.js";
