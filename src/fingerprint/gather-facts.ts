/**
 * The I/O half of input keys: every fact a key needs, read once per run — the Go toolchain, `go list`
 * closures, module files, the files of `files:` mappings and command inputs, their hashes, dray.lock
 * and the digests of OCI-layout bases.
 */
import { realpath } from "node:fs/promises";
import type { CommandService, GoService, ResolvedConfig, ResolvedService } from "../config/index.js";
import { findGoToolchain, type GoToolchain, type ModuleFacts, readModuleFacts } from "../go/index.js";
import { readBaseFromLayout } from "../oci/index.js";
import { readPins, requirePins } from "../pins/index.js";
import { createTracer, type Tracer } from "../report/index.js";
import { listCommandInputs } from "./command-inputs.js";
import type { FileHasher } from "./file-hasher.js";
import { type GoServiceListing, listGoServices } from "./go-graph.js";
import { hashProjectFiles } from "./input-files.js";
import { type KeyFacts, layoutBaseId } from "./key-facts.js";
import { listMappedFiles } from "./mapped-files.js";
import { projectRelative } from "./settings.js";

/** What gathering facts needs from outside. */
export interface KeyContext {
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  hasher: FileHasher;
  /** `.dray/cache`, for the `go list` cache; undefined to list afresh. */
  cacheDir: string | undefined;
  tracer?: Tracer;
}

/** Read every fact the keys of `services` depend on. */
export async function gatherKeyFacts(
  services: readonly ResolvedService[],
  ctx: KeyContext,
): Promise<KeyFacts> {
  const tracer = ctx.tracer ?? createTracer();
  const { toolchain, listings } = await listGo(services, ctx, tracer);
  const { mapped, commandInputs, wanted } = await tracer.span("list inputs", () =>
    listInputs(services, listings, ctx.config.root),
  );
  const files = await tracer.span("hash", () => hashProjectFiles(ctx.config.root, [...wanted], ctx.hasher), {
    attrs: { files: wanted.size },
  });
  // Registry bases are named by the digest dray.lock pins: a tag moving upstream changes nothing until
  // `dray update-base` says so.
  const pins = services.some((s) => s.base.kind === "registry") ? await readPins(ctx.config.root) : undefined;
  if (pins) requirePins(ctx.config, pins);
  const [layoutBases, modules] = await Promise.all([readLayoutBases(services), readModules(listings)]);
  return { toolchain, listings, modules, files, mapped, commandInputs, pins, layoutBases };
}

async function listGo(
  services: readonly ResolvedService[],
  ctx: KeyContext,
  tracer: Tracer,
): Promise<{ toolchain: GoToolchain | undefined; listings: Map<string, GoServiceListing> }> {
  const goServices = services.filter((s): s is GoService => s.kind === "go");
  if (goServices.length === 0) return { toolchain: undefined, listings: new Map() };
  const toolchain = await tracer.span("go toolchain", () => findGoToolchain(ctx.env));
  const listings = await tracer.span("go list", () =>
    listGoServices(goServices, {
      root: ctx.config.root,
      env: ctx.env,
      toolchain,
      cacheDir: ctx.cacheDir,
      locate: ctx.config.locate,
    }),
  );
  return { toolchain, listings };
}

/** Every file any service reads: Go sources of the closures, `files:` mappings, command inputs. */
async function listInputs(
  services: readonly ResolvedService[],
  listings: ReadonlyMap<string, GoServiceListing>,
  root: string,
) {
  const mapped = new Map<string, string[]>();
  const commandInputs = new Map<string, string[]>();
  const wanted = new Set<string>();
  for (const listing of listings.values()) {
    for (const pkg of listing.packages) {
      if (pkg.dir === undefined) continue;
      for (const file of pkg.files) wanted.add(pkg.dir === "." ? file : `${pkg.dir}/${file}`);
    }
  }
  // Sources are listed by their real paths (a symlinked source is read where it points), relative
  // to the root's real path, so that they name the files the image gets.
  const realRoot = await realpath(root);
  await Promise.all(
    services.map(async (service) => {
      const files: string[] = [];
      for (const mapping of service.files) {
        const source = await listMappedFiles(mapping.from, service.context);
        const base = projectRelative(realRoot, source.real);
        for (const sub of source.files) files.push(joinRelative(base, sub));
      }
      mapped.set(service.name, files);
      for (const f of files) wanted.add(f);
    }),
  );
  await Promise.all(
    services
      .filter((s): s is CommandService => s.kind === "command")
      .map(async (service) => {
        const dir = projectRelative(root, service.context);
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
  return { mapped, commandInputs, wanted };
}

/** `sub` below `base`, both project-relative with "/"; "." is the directory itself. */
function joinRelative(base: string, sub: string): string {
  if (sub === ".") return base;
  return base === "." ? sub : `${base}/${sub}`;
}

/** The manifest digest of every OCI-layout base on every platform it is used on, each read once. */
async function readLayoutBases(services: readonly ResolvedService[]): Promise<Map<string, string>> {
  const reads = new Map<string, Promise<string>>();
  for (const service of services) {
    const base = service.base;
    if (base.kind !== "layout") continue;
    for (const platform of service.platforms) {
      const id = layoutBaseId(base.layout, base.ref, platform);
      if (!reads.has(id))
        reads.set(
          id,
          readBaseFromLayout(base.layout, base.ref, platform).then((b) => b.manifestDigest),
        );
    }
  }
  const ids = [...reads.keys()];
  const digests = await Promise.all(reads.values());
  return new Map(ids.map((id, i) => [id, digests[i]!]));
}

/** go.mod and go.sum facts (and go.work's, in a workspace) of every module root a listing is in, each read once. */
async function readModules(
  listings: ReadonlyMap<string, GoServiceListing>,
): Promise<Map<string, ModuleFacts>> {
  const workspaces = new Map<string, string | undefined>();
  for (const { main } of listings.values()) {
    const work = main.env?.["GOWORK"];
    workspaces.set(main.moduleRoot, work && work !== "off" ? work : undefined);
  }
  const roots = [...workspaces.keys()];
  const facts = await Promise.all(roots.map((root) => readModuleFacts(root, workspaces.get(root))));
  return new Map(roots.map((root, i) => [root, facts[i]!]));
}
