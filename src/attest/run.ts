/**
 * The attest stage as the commands use it: what one run needs once (git's facts, dray.yaml's
 * digest, the signing key, dray's version), then each service's SBOM, provenance and signatures.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CacheEntry } from "../cache/index.js";
import type { ResolvedConfig, ResolvedService } from "../config/index.js";
import { findModuleRoot } from "../go/index.js";
import { type BlobSource, type LayoutStore, openLayout } from "../oci/index.js";
import type { RegistryClient } from "../registry/index.js";
import { type AttachReport, attachAttestations, type RunFacts } from "./attach.js";
import { provenanceStatement } from "./provenance.js";
import { ensureSboms, type StoredSbom } from "./sbom-store.js";
import { loadSigningKey } from "./sign/keys.js";
import { readConfigFacts, readSourceFacts } from "./source.js";
import { provenanceSubjects, subjectsOf } from "./subjects.js";

/** Attaches one pushed service's attestations. */
export interface Attester {
  attach(args: {
    client: RegistryClient;
    repository: string;
    service: string;
    entry: CacheEntry;
    /** The images as built, when `entry` is their distribution form: their layers are read for SBOMs. */
    contents?: CacheEntry;
    source: BlobSource;
  }): Promise<AttachReport>;
}

/** dray's version, from its package.json: the builder of every provenance statement. */
export async function drayVersion(): Promise<string> {
  const file = new URL("../../package.json", import.meta.url);
  return (JSON.parse(await readFile(file, "utf8")) as { version: string }).version;
}

/**
 * The attester for a push, or undefined when there is nothing to attach (`sbom: false` and no key).
 * The key (`signKey` from --sign-key, else dray.yaml's `sign.key`) is opened here, before anything is
 * pushed, so a wrong passphrase stops the push at once.
 */
export async function openAttester(
  config: ResolvedConfig,
  options: { signKey?: string; env: NodeJS.ProcessEnv },
): Promise<Attester | undefined> {
  const keyFile = options.signKey ?? config.sign?.key;
  if (config.sbom === false && !keyFile) return undefined;
  const [key, source, configFacts, version] = await Promise.all([
    keyFile ? loadSigningKey(keyFile, options.env) : undefined,
    readSourceFacts(config.root),
    readConfigFacts(config.file, config.root),
    drayVersion(),
  ]);
  const run: RunFacts = { source, config: configFacts, drayVersion: version, format: config.sbom, key };
  const layouts = new Map<string, Promise<LayoutStore>>();
  return {
    async attach({ client, repository, service, entry, contents, source: blobs }) {
      let layout = layouts.get(blobs.root);
      if (!layout) {
        layout = openLayout(blobs.root);
        layouts.set(blobs.root, layout);
      }
      return attachAttestations({
        config,
        client,
        repository,
        service,
        entry,
        ...(contents ? { contents } : {}),
        layout: await layout,
        source: blobs,
        mainModule: await mainModuleOf(config, service),
        run,
      });
    },
  };
}

/** The SBOMs of a built service (written into the layout when missing), for `dray sbom`. */
export async function serviceSboms(
  config: ResolvedConfig,
  service: string,
  entry: CacheEntry,
  layout: LayoutStore,
  source: BlobSource,
): Promise<StoredSbom[]> {
  return ensureSboms({
    config,
    service,
    entry,
    format: config.sbom === false ? "spdx" : config.sbom,
    layout,
    source,
    mainModule: await mainModuleOf(config, service),
    drayVersion: await drayVersion(),
  });
}

/** The provenance statements of a built service, one per subject (top first), for `dray provenance`. */
export async function serviceProvenance(
  config: ResolvedConfig,
  service: string,
  entry: CacheEntry,
): Promise<{ name: string; statement: Buffer }[]> {
  const [source, configFacts, version] = await Promise.all([
    readSourceFacts(config.root),
    readConfigFacts(config.file, config.root),
    drayVersion(),
  ]);
  return subjectsOf(service, entry).map((subject) => ({
    name: subject.name,
    statement: provenanceStatement({
      service,
      entry,
      subjects: provenanceSubjects(service, entry, subject),
      source,
      configDigest: configFacts.digest,
      configPath: configFacts.path,
      drayVersion: version,
    }),
  }));
}

/** The module path in the go.mod a Go service is built in; undefined for command services. */
async function mainModuleOf(config: ResolvedConfig, name: string): Promise<string | undefined> {
  const service: ResolvedService | undefined = config.services.find((s) => s.name === name);
  if (service?.kind !== "go") return undefined;
  const root = findModuleRoot(service.packageDir, config.root);
  if (!root) return undefined;
  const gomod = await readFile(path.join(root, "go.mod"), "utf8").catch(() => "");
  return /^module\s+"?([^\s"]+)"?/m.exec(gomod)?.[1];
}
