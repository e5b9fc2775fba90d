/** The ingredients of a Go service's image on one platform. Pure. */
import type { GoService } from "../config/index.js";
import { goBuildArgs, goflagsForKey, goPlatformEnv, type ModuleFacts } from "../go/index.js";
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
    // Only these two of the user's environment reach the compiler's output unasked; of GOFLAGS,
    // only the flags that can change a binary (see goflagsForKey).
    "go.GOFLAGS": goflagsForKey(context.env["GOFLAGS"]),
    "go.GOEXPERIMENT": context.env["GOEXPERIMENT"] ?? "",
  };
  // Only in a go.work workspace, so that the keys of modules built on their own stay as they were.
  if (facts.workspace !== undefined) settings["go.work"] = facts.workspace;
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
    const hashed = hashedPackage(pkg.dir, pkg.files, fileHashes);
    for (const [rel, hash] of hashed.files) files[rel] = hash;
    packages[pkg.importPath] = hashed.digest;
  }
  return {
    format: PACKING_FORMAT_VERSION,
    platform: platformName(platform),
    settings,
    files: Object.assign(files, context.mapped),
    packages,
    modules,
  };
}

/** A package's files with their hashes, and the digest of them. */
interface HashedPackage {
  files: [string, string][];
  digest: string;
}

/**
 * Packages already hashed, per table of file hashes: the services of a monorepo share most of their
 * packages, and hashing each again per service was most of a plan of thousands.
 */
const hashedPackages = new WeakMap<object, Map<string, HashedPackage>>();

/** A package's files (project-relative) with their hashes, and their canonical JSON's sha256, remembered per `fileHashes`. */
function hashedPackage(
  dir: string,
  fileNames: readonly string[],
  fileHashes: Readonly<Record<string, string>>,
): HashedPackage {
  let memo = hashedPackages.get(fileHashes);
  if (!memo) {
    memo = new Map();
    hashedPackages.set(fileHashes, memo);
  }
  // The same directory with the same files (build tags can pick others per platform) hashes the same.
  const id = `${dir}\0${fileNames.join("\0")}`;
  let hashed = memo.get(id);
  if (hashed === undefined) {
    const files = fileNames.map((file): [string, string] => {
      const rel = dir === "." ? file : `${dir}/${file}`;
      return [rel, fileHashes[rel]!];
    });
    hashed = { files, digest: sha256Digest(canonicalJson(Object.fromEntries(files))) };
    memo.set(id, hashed);
  }
  return hashed;
}
