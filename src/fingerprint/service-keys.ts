/** Input keys for a set of services: list Go packages, hash every input file once, combine. */

import type { CommandService, GoService, ResolvedConfig, ResolvedService } from "../config/types.js";
import { findGoToolchain, type GoToolchain } from "../go/toolchain.js";
import { readBaseFromLayout } from "../oci/base.js";
import { canonicalJson } from "../oci/canonical-json.js";
import { sha256Digest } from "../oci/digest.js";
import { formatReference } from "../oci/reference.js";
import type { Platform } from "../oci/types.js";
import { pinnedDigest, readLockFile, requireLocks } from "../pins/pin-file.js";
import { createTracer, type Tracer } from "../report/trace.js";
import { listCommandInputs } from "./command-inputs.js";
import { commandIngredients } from "./command-key.js";
import type { FileHasher } from "./file-hasher.js";
import { type GoServiceListing, listGoServices, listingKey } from "./go-graph.js";
import { goIngredients, type ModuleFacts, readModuleFacts } from "./go-key.js";
import { hashProjectFiles } from "./input-files.js";
import { commonSettings, relative } from "./settings.js";
import { listTree } from "./tree-hash.js";
import type { Ingredients, PlatformKey, ServiceKey } from "./types.js";

/** What key computation needs from outside. */
export interface KeyContext {
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  hasher: FileHasher;
  /** `.dray/cache`, for the `go list` cache; undefined to list afresh. */
  cacheDir: string | undefined;
  tracer?: Tracer;
}

/** Keys plus what was learnt on the way, which the build reuses instead of asking again. */
export interface KeyResult {
  keys: Map<string, ServiceKey>;
  listings: Map<string, GoServiceListing>;
  toolchain: GoToolchain | undefined;
}

/** The digest of a value's canonical JSON: how every key is made. */
export function keyOf(value: unknown) {
  return sha256Digest(canonicalJson(value));
}

/** Compute the input key of every service in `services`. */
export async function computeServiceKeys(
  services: readonly ResolvedService[],
  ctx: KeyContext,
): Promise<KeyResult> {
  const { config } = ctx;
  const tracer = ctx.tracer ?? createTracer();
  const goServices = services.filter((s): s is GoService => s.kind === "go");
  const commandServices = services.filter((s): s is CommandService => s.kind === "command");

  let toolchain: GoToolchain | undefined;
  let listings = new Map<string, GoServiceListing>();
  if (goServices.length > 0) {
    toolchain = await tracer.span("go toolchain", () => findGoToolchain(ctx.env));
    const found = toolchain;
    listings = await tracer.span("go list", () =>
      listGoServices(goServices, {
        root: config.root,
        env: ctx.env,
        toolchain: found,
        cacheDir: ctx.cacheDir,
        locate: config.locate,
      }),
    );
  }

  // Every file any service reads, hashed once.
  const mapped = new Map<string, string[]>();
  const commandInputs = new Map<string, string[]>();
  const wanted = new Set<string>();
  await tracer.span("list inputs", async () => {
    for (const listing of listings.values()) {
      for (const pkg of listing.packages) {
        if (pkg.dir === undefined) continue;
        for (const file of pkg.files) wanted.add(pkg.dir === "." ? file : `${pkg.dir}/${file}`);
      }
    }
    await Promise.all(
      services.map(async (service) => {
        const files: string[] = [];
        for (const mapping of service.files) {
          const base = relative(config.root, mapping.from);
          for (const sub of await listTree(mapping.from)) files.push(sub === "." ? base : `${base}/${sub}`);
        }
        mapped.set(service.name, files);
        for (const f of files) wanted.add(f);
      }),
    );
    await Promise.all(
      commandServices.map(async (service) => {
        const dir = relative(config.root, service.context);
        const inputs = await listCommandInputs({
          dir: service.context,
          inputs: service.inputs,
          output: service.output,
        });
        const rels = inputs.map((p) => (dir === "." ? p : `${dir}/${p}`));
        commandInputs.set(service.name, rels);
        for (const f of rels) wanted.add(f);
      }),
    );
  });
  const hashes = await tracer.span("hash", () => hashProjectFiles(config.root, [...wanted], ctx.hasher), {
    attrs: { files: wanted.size },
  });

  const bases = new Map<string, Promise<string>>();
  // Registry bases are named by the digest dray.lock pins: a tag moving upstream changes nothing until
  // `dray update-base` says so.
  const lock = services.some((s) => s.base.kind === "registry") ? await readLockFile(config.root) : undefined;
  if (lock) requireLocks(config, lock);
  const baseDigest = (service: ResolvedService, platform: Platform) => {
    const base = service.base;
    if (base.kind === "scratch") return Promise.resolve("scratch");
    if (base.kind === "registry") {
      const pinned = {
        registry: base.registry,
        repository: base.repository,
        digest: pinnedDigest(base, lock!),
      };
      return Promise.resolve(`registry:${formatReference(pinned)}`);
    }
    const id = `${base.layout}\0${base.ref}\0${listingKey("", platform)}`;
    if (!bases.has(id)) {
      bases.set(
        id,
        readBaseFromLayout(base.layout, base.ref, platform).then(
          (b) => `oci:${base.ref}@${b.manifestDigest}`,
        ),
      );
    }
    return bases.get(id)!;
  };
  const facts = new Map<string, Promise<ModuleFacts>>();
  const moduleFacts = (moduleRoot: string) => {
    if (!facts.has(moduleRoot)) facts.set(moduleRoot, readModuleFacts(moduleRoot));
    return facts.get(moduleRoot)!;
  };
  const pick = (paths: readonly string[]) => Object.fromEntries(paths.map((p) => [p, hashes[p]!]));

  const keys = new Map<string, ServiceKey>();
  await Promise.all(
    services.map(async (service) => {
      const platforms: PlatformKey[] = [];
      for (const platform of service.platforms) {
        const common = commonSettings(
          service,
          config.root,
          await baseDigest(service, platform),
          config.sourceDateEpoch,
        );
        let ingredients: Ingredients;
        if (service.kind === "go") {
          const listing = listings.get(listingKey(service.name, platform))!;
          ingredients = goIngredients(listing, await moduleFacts(listing.moduleRoot), hashes, {
            toolchain: toolchain!.version,
            env: ctx.env,
            common,
            mapped: pick(mapped.get(service.name) ?? []),
          });
        } else {
          const files = {
            ...pick(commandInputs.get(service.name) ?? []),
            ...pick(mapped.get(service.name) ?? []),
          };
          ingredients = commandIngredients(service, platform, config.root, files, common);
        }
        platforms.push({ platform: ingredients.platform, key: keyOf(ingredients), ingredients });
      }
      keys.set(service.name, {
        service: service.name,
        key: keyOf(platforms.map((p) => ({ platform: p.platform, key: p.key }))),
        platforms,
      });
    }),
  );
  return { keys, listings, toolchain };
}
