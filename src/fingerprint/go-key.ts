/** The ingredients of a Go service's image on one platform. Pure. */
import type { GoService } from "../config/index.js";
import { goBuildArgs, goPlatformEnv, type ModuleFacts } from "../go/index.js";
import { canonicalJson, platformName, sha256Digest } from "../oci/index.js";
import type { GoServiceListing } from "./go-graph.js";
import { type Ingredients, PACKING_FORMAT_VERSION } from "./types.js";

/** Everything `service`'s image on `listing.platform` is a function of. */
export function goIngredients(
  service: GoService,
  listing: Pick<GoServiceListing, "platform" | "main" | "packages">,
  facts: ModuleFacts,
  fileHashes: Readonly<Record<string, string>>,
  context: {
    toolchain: string;
    env: Readonly<Record<string, string | undefined>>;
    common: Record<string, string>;
    /** Hashes of the files behind `files:` mappings. */
    mapped: Readonly<Record<string, string>>;
  },
): Ingredients {
  const { platform } = listing;
  const settings: Record<string, string> = {
    ...context.common,
    "go.toolchain": context.toolchain,
    "go.directive": facts.directive,
    "go.main": listing.main.importPath,
    "go.args": goBuildArgs(service).join(" "),
    "go.binary": service.binaryPath,
    // Only these two of the user's environment reach the compiler's output unasked.
    "go.GOFLAGS": context.env["GOFLAGS"] ?? "",
    "go.GOEXPERIMENT": context.env["GOEXPERIMENT"] ?? "",
  };
  for (const [name, value] of Object.entries(goPlatformEnv(service, platform)))
    settings[`go.env.${name}`] = value;

  const files: Record<string, string> = {};
  const packages: Record<string, string> = {};
  const modules: Record<string, string> = {};
  for (const pkg of listing.packages) {
    if (pkg.module && !pkg.module.main) {
      const version = pkg.module.version ?? "(local)";
      modules[pkg.module.path] = `${version} ${facts.sums.get(`${pkg.module.path} ${version}`) ?? ""}`.trim();
    }
    if (pkg.dir === undefined) continue;
    const own: Record<string, string> = {};
    for (const file of pkg.files) {
      const rel = pkg.dir === "." ? file : `${pkg.dir}/${file}`;
      own[rel] = fileHashes[rel]!;
      files[rel] = fileHashes[rel]!;
    }
    packages[pkg.importPath] = sha256Digest(canonicalJson(own));
  }
  return {
    format: PACKING_FORMAT_VERSION,
    platform: platformName(platform),
    settings,
    files: { ...files, ...context.mapped },
    packages,
    modules,
  };
}
