/**
 * What an image's provenance claims, read back from the in-toto statement `dray push` attached: the
 * service, the commit and whether the tree was dirty, dray.yaml's path and digest, the input keys and
 * each platform's settings and image ID. Statements are untrusted input, so every field is checked
 * and one that is not dray's SLSA v1 statement is skipped, never half-read. Pure.
 */
import { DRAY_BUILD_TYPE, SLSA_PROVENANCE_V1 } from "../attest/index.js";
import { type Digest, isDigest } from "../oci/index.js";

const STATEMENT_V1 = "https://in-toto.io/Statement/v1";

/** One platform as the statement records it. */
export interface ClaimedPlatform {
  platform: string;
  inputKey: Digest;
  imageId: Digest;
  settings: Record<string, string>;
}

/** What one provenance statement says about where an image came from. */
export interface ProvenanceClaim {
  service: string;
  /** dray.yaml's path relative to the repository's top, "/"-separated. */
  configPath: string;
  configDigest: Digest | undefined;
  repository: string | undefined;
  commit: string | undefined;
  dirty: boolean;
  inputKey: Digest;
  platforms: ClaimedPlatform[];
  /** The manifests the statement is about. */
  subjects: { name: string; digest: Digest }[];
  /** The dray version that built it. */
  builder: string | undefined;
}

type Json = Record<string, unknown>;

const object = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const sha256 = (value: unknown): Digest | undefined => {
  const hex = text(object(object(value)?.["digest"])?.["sha256"]);
  const digest = `sha256:${hex}`;
  return hex !== undefined && isDigest(digest) ? digest : undefined;
};

/** The claim of a statement's bytes, or undefined when they are not a dray SLSA v1 provenance statement. */
export function readClaim(bytes: Buffer): ProvenanceClaim | undefined {
  let statement: Json | undefined;
  try {
    statement = object(JSON.parse(bytes.toString("utf8")));
  } catch {
    return undefined;
  }
  if (statement?.["_type"] !== STATEMENT_V1 || statement["predicateType"] !== SLSA_PROVENANCE_V1)
    return undefined;
  const definition = object(object(statement["predicate"])?.["buildDefinition"]);
  if (definition?.["buildType"] !== DRAY_BUILD_TYPE) return undefined;
  const external = object(definition["externalParameters"]);
  const internal = object(definition["internalParameters"]);
  const source = object(external?.["source"]);
  const service = text(external?.["service"]);
  const configPath = text(external?.["config"]);
  const inputKey = text(internal?.["inputKey"]);
  if (!service || !configPath || !source || !isDigest(inputKey)) return undefined;
  const platforms = readPlatforms(object(internal?.["platforms"]));
  const subjects = Array.isArray(statement["subject"])
    ? statement["subject"].flatMap((s) => {
        const digest = sha256(s);
        const name = text(object(s)?.["name"]);
        return digest && name ? [{ name, digest }] : [];
      })
    : [];
  if (!platforms || subjects.length === 0) return undefined;
  const dependencies = Array.isArray(definition["resolvedDependencies"])
    ? definition["resolvedDependencies"]
    : [];
  const config = dependencies.find((d) => object(d)?.["name"] === configPath);
  const builder = object(object(object(statement["predicate"])?.["runDetails"])?.["builder"]);
  return {
    service,
    configPath,
    configDigest: sha256(config),
    repository: text(source["repository"]),
    commit: text(source["commit"]),
    // Anything but an explicit false is treated as dirty: a proof needs a clean tree.
    dirty: source["dirty"] !== false,
    inputKey,
    platforms,
    subjects,
    builder: text(object(builder?.["version"])?.["dray"]),
  };
}

function readPlatforms(recorded: Json | undefined): ClaimedPlatform[] | undefined {
  if (!recorded) return undefined;
  const platforms: ClaimedPlatform[] = [];
  for (const [platform, value] of Object.entries(recorded)) {
    const fields = object(value);
    const settings = object(fields?.["settings"]);
    const inputKey = fields?.["inputKey"];
    const imageId = fields?.["imageId"];
    if (!isDigest(inputKey) || !isDigest(imageId) || !settings) return undefined;
    if (!Object.values(settings).every((v) => typeof v === "string")) return undefined;
    platforms.push({ platform, inputKey, imageId, settings: settings as Record<string, string> });
  }
  return platforms.length > 0 ? platforms : undefined;
}

/**
 * The distinct claims among `statements` that are about `digest`, in a fixed order (by commit, then
 * by input key): one image may carry several, for example when two commits built the same bytes.
 */
export function claimsAbout(statements: readonly Buffer[], digest: Digest): ProvenanceClaim[] {
  const seen = new Set<string>();
  const claims: ProvenanceClaim[] = [];
  for (const bytes of statements) {
    const claim = readClaim(bytes);
    if (!claim || !claim.subjects.some((s) => s.digest === digest)) continue;
    const id = `${claim.commit ?? ""} ${claim.dirty} ${claim.inputKey} ${claim.configDigest ?? ""}`;
    if (seen.has(id)) continue;
    seen.add(id);
    claims.push(claim);
  }
  return claims.sort((a, b) =>
    `${a.commit ?? ""} ${a.inputKey}` < `${b.commit ?? ""} ${b.inputKey}` ? -1 : 1,
  );
}

/** Why a rebuild cannot prove the claim, or undefined when it can be tried. */
export function unprovable(claim: ProvenanceClaim): string | undefined {
  if (claim.commit === undefined)
    return "its provenance records no git commit (it was built outside a git repository)";
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(claim.commit))
    return `its provenance records ${JSON.stringify(claim.commit)}, which is not a git commit hash`;
  if (claim.dirty)
    return `it was built from a tree with uncommitted changes on top of commit ${claim.commit.slice(0, 12)}, which no checkout can reproduce`;
  return undefined;
}
