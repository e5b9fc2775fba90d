/**
 * After a service's image is pushed: its SBOMs and provenance go next to it as OCI referrers, and
 * with a signing key, a signature of every manifest and signed attestations of both, in the
 * format cosign verifies. Each is sent only when the registry does not list it yet; a signature
 * already there that this key made over the same statement counts as there (ECDSA signatures
 * differ each time they are made, so bytes alone cannot tell).
 */
import type { CacheEntry } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { BlobSource, LayoutStore } from "../oci/index.js";
import { canonicalJson, type Digest } from "../oci/index.js";
import {
  type Artifact,
  artifactManifest,
  attachReferrers,
  fetchArtifact,
  listReferrers,
  type ReferrerListing,
  type RegistryClient,
} from "../registry/index.js";
import { IN_TOTO_MEDIA_TYPE, SBOM_PREDICATE, type SbomFormat } from "./media-types.js";
import {
  type ProvenanceInput,
  provenanceStatement,
  SLSA_PROVENANCE_V1,
  type SourceFacts,
} from "./provenance.js";
import { ensureSboms, type StoredSbom } from "./sbom-store.js";
import {
  BUNDLE_MEDIA_TYPE,
  bundleAnnotations,
  mayHoldBundle,
  openBundle,
  SIGN_PREDICATE,
  STATEMENT_TYPE,
  signatureStatement,
  signedBundle,
} from "./sign/bundle.js";
import type { SigningKey } from "./sign/keys.js";
import { type AttestationSubject, provenanceSubjects, subjectsOf } from "./subjects.js";

/** Facts shared by every service of one push: read once. */
export interface RunFacts {
  source: SourceFacts;
  config: { digest: Digest; path: string };
  drayVersion: string;
  /** The SBOM format; false attaches no SBOM and no provenance (signatures only, with a key). */
  format: SbomFormat | false;
  key: SigningKey | undefined;
}

/** One service's attachments. */
export interface AttachOptions {
  config: ResolvedConfig;
  client: RegistryClient;
  repository: string;
  service: string;
  entry: CacheEntry;
  /** The images as built, when `entry` is their distribution form: the SBOM reads their layers. */
  contents?: CacheEntry;
  layout: LayoutStore;
  source: BlobSource;
  mainModule: string | undefined;
  run: RunFacts;
}

/** How many referrers were sent and how many the registry had; how many manifests were signed. */
export interface AttachReport {
  put: number;
  existing: number;
  signed: number;
  /** Bytes of the referrers' blobs uploaded (SBOM, provenance and signature payloads). */
  bytesSent: number;
}

/** Attaches every attestation of the service's image; returns what was sent. */
export async function attachAttestations(options: AttachOptions): Promise<AttachReport> {
  const { run } = options;
  const report: AttachReport = { put: 0, existing: 0, signed: 0, bytesSent: 0 };
  if (run.format === false) {
    if (!run.key) return report;
    for (const subject of subjectsOf(options.service, options.entry)) {
      const statements = [
        { predicateType: SIGN_PREDICATE, bytes: signatureStatement(subject.descriptor.digest) },
      ];
      await sendSigned(options, subject, statements, [], report);
    }
    return report;
  }
  const sboms = await ensureSboms({ ...options, format: run.format, drayVersion: run.drayVersion });
  for (const sbom of sboms) {
    const statement = provenanceStatement(provenanceInput(options, sbom.subject));
    const artifacts: Artifact[] = [
      sbom.artifact,
      artifactManifest({
        artifactType: IN_TOTO_MEDIA_TYPE,
        subject: sbom.subject.descriptor,
        blob: { mediaType: IN_TOTO_MEDIA_TYPE, bytes: statement },
      }),
    ];
    const statements = [
      { predicateType: SIGN_PREDICATE, bytes: signatureStatement(sbom.subject.descriptor.digest) },
      { predicateType: SLSA_PROVENANCE_V1, bytes: statement },
      { predicateType: SBOM_PREDICATE[sbom.format], bytes: sbomStatement(sbom) },
    ];
    await sendSigned(options, sbom.subject, run.key ? statements : [], artifacts, report);
  }
  return report;
}

/** Signs what no bundle by this key carries yet, and attaches that and `artifacts` to the subject. */
async function sendSigned(
  options: AttachOptions,
  subject: AttestationSubject,
  statements: { predicateType: string; bytes: Buffer }[],
  artifacts: Artifact[],
  report: AttachReport,
): Promise<void> {
  const key = options.run.key;
  const all = [...artifacts];
  const listing = await listReferrers(options.client, options.repository, subject.descriptor.digest);
  if (key && statements.length > 0) {
    const unsigned = await withoutExisting(options, listing, statements, key);
    for (const { predicateType, bytes } of unsigned) {
      all.push(
        artifactManifest({
          artifactType: BUNDLE_MEDIA_TYPE,
          subject: subject.descriptor,
          blob: { mediaType: BUNDLE_MEDIA_TYPE, bytes: signedBundle(bytes, key) },
          annotations: bundleAnnotations(predicateType),
        }),
      );
    }
    report.existing += statements.length - unsigned.length;
    if (unsigned.length > 0) report.signed++;
  }
  const result = await attachReferrers(
    options.client,
    options.repository,
    subject.descriptor.digest,
    all,
    listing,
  );
  report.put += result.put.length;
  report.existing += result.existing.length;
  report.bytesSent += result.bytesSent;
}

/** The provenance of one subject: an index's statement names the index and every platform manifest. */
function provenanceInput(options: AttachOptions, subject: AttestationSubject): ProvenanceInput {
  const { entry, service, run } = options;
  return {
    service,
    entry,
    subjects: provenanceSubjects(service, entry, subject),
    source: run.source,
    configDigest: run.config.digest,
    configPath: run.config.path,
    drayVersion: run.drayVersion,
  };
}

/** An SBOM as an in-toto statement about its subject, for a signed attestation. */
function sbomStatement(sbom: StoredSbom): Buffer {
  return Buffer.from(
    canonicalJson({
      _type: STATEMENT_TYPE,
      subject: [{ name: sbom.subject.name, digest: { sha256: sbom.subject.descriptor.digest.slice(7) } }],
      predicateType: SBOM_PREDICATE[sbom.format],
      predicate: JSON.parse(sbom.document.toString("utf8")),
    }),
  );
}

/** The statements that no bundle of `subject` signed by `key` carries yet. */
async function withoutExisting(
  options: AttachOptions,
  listing: ReferrerListing,
  statements: { predicateType: string; bytes: Buffer }[],
  key: SigningKey,
): Promise<{ predicateType: string; bytes: Buffer }[]> {
  const signed = new Set<string>();
  for (const descriptor of listing.descriptors) {
    if (!mayHoldBundle(descriptor)) continue;
    const artifact = await fetchArtifact(options.client, options.repository, descriptor).catch(
      () => undefined,
    );
    if (!artifact || artifact.layerMediaType !== BUNDLE_MEDIA_TYPE) continue;
    const opened = openBundle(artifact.blob, key.publicKey);
    if (opened) signed.add(opened.statement.toString("base64"));
  }
  return statements.filter((s) => !signed.has(s.bytes.toString("base64")));
}
