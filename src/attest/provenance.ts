/**
 * Provenance: an in-toto Statement v1 with a SLSA Provenance v1 predicate
 * (https://slsa.dev/spec/v1.0/provenance) saying where an image came from — the source commit
 * (and whether the tree was dirty), dray.yaml's digest, the service's input key, the toolchain and
 * every build setting, the resolved base digests and modules — and who built it (dray, by version).
 * No clock: the same build anywhere gives the same bytes. Pure.
 */
import type { CacheEntry } from "../cache/index.js";
import { canonicalJson, type Descriptor, type Digest, digestHex } from "../oci/index.js";
import { basePurl, goPurl, h1Hex, stdlibPurl } from "./identifiers.js";
import { baseOf } from "./sbom-model.js";

/** The predicate type cosign calls `slsaprovenance1`. */
export const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
/** What a dray build is, for consumers that tell build types apart. */
export const DRAY_BUILD_TYPE = "urn:dray:build-type:oci-image:v1";

/** Where the source came from, as git says. */
export interface SourceFacts {
  /** The remote `origin`'s URL without credentials, when there is one. */
  repository: string | undefined;
  /** HEAD's commit, or undefined outside a git work tree. */
  commit: string | undefined;
  /** True when tracked or untracked files under the project differ from the commit. */
  dirty: boolean;
}

/** Everything a statement is made from. */
export interface ProvenanceInput {
  service: string;
  entry: CacheEntry;
  /** The manifests this statement is about: the index and its platform manifests, or one manifest. */
  subjects: readonly { name: string; descriptor: Descriptor }[];
  source: SourceFacts;
  /** sha256 of dray.yaml's bytes. */
  configDigest: Digest;
  /** dray.yaml's path relative to the project's git root or directory, "/"-separated. */
  configPath: string;
  drayVersion: string;
}

/** The statement's bytes: canonical JSON. */
export function provenanceStatement(input: ProvenanceInput): Buffer {
  const { entry, source } = input;
  const platforms = entry.platforms.filter((p) =>
    input.subjects.some(
      (s) => s.descriptor.digest === p.manifest.digest || s.descriptor.digest === entry.top.digest,
    ),
  );
  const dependencies = new Map<string, Record<string, unknown>>();
  const add = (key: string, value: Record<string, unknown>) => dependencies.set(key, value);
  if (source.commit) {
    add(`0 source`, {
      uri: source.repository ? `git+${source.repository}` : "git",
      digest: { gitCommit: source.commit },
      ...(source.dirty ? { annotations: { dirty: true } } : {}),
    });
  }
  add(`1 config`, { name: input.configPath, digest: { sha256: digestHex(input.configDigest) } });
  for (const platform of platforms) {
    const settings = platform.ingredients.settings;
    const base = baseOf(settings["base"] ?? "scratch");
    const purl = basePurl(base);
    if (purl && base.kind !== "scratch")
      add(`2 ${purl}`, { uri: purl, digest: { sha256: digestHex(base.digest) } });
    const toolchain = settings["go.toolchain"];
    if (toolchain) add(`3 ${toolchain}`, { uri: stdlibPurl(toolchain), name: `go ${toolchain}` });
    for (const [path, value] of Object.entries(platform.ingredients.modules)) {
      const [version = "", sum] = value.split(" ");
      const hex = sum ? h1Hex(sum) : undefined;
      add(`4 ${path}@${version}`, {
        uri: goPurl(path, version),
        ...(hex ? { digest: { sha256: hex } } : {}),
        ...(sum ? { annotations: { "go.sum": sum } } : {}),
      });
    }
  }
  const statement = {
    _type: "https://in-toto.io/Statement/v1",
    subject: input.subjects.map((s) => ({
      name: s.name,
      digest: { sha256: digestHex(s.descriptor.digest) },
    })),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: DRAY_BUILD_TYPE,
        externalParameters: {
          service: input.service,
          config: input.configPath,
          platforms: platforms.map((p) => p.platform),
          source: {
            ...(source.repository ? { repository: source.repository } : {}),
            ...(source.commit ? { commit: source.commit } : { vcs: "none" }),
            dirty: source.dirty,
          },
        },
        internalParameters: {
          inputKey: entry.key,
          platforms: Object.fromEntries(
            platforms.map((p) => [
              p.platform,
              { inputKey: p.key, imageId: p.imageId, settings: p.ingredients.settings },
            ]),
          ),
        },
        resolvedDependencies: [...dependencies.keys()].sort().map((key) => dependencies.get(key)),
      },
      runDetails: {
        builder: { id: `urn:dray:builder:dray@${input.drayVersion}`, version: { dray: input.drayVersion } },
        metadata: {},
      },
    },
  };
  return Buffer.from(canonicalJson(statement));
}
