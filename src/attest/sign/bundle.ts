/**
 * Signatures as cosign 3 writes them for a key pair: a DSSE envelope around an in-toto statement,
 * in a Sigstore bundle (v0.3) whose only verification material is the key's hint, pushed as an OCI
 * referrer of the image. A plain signature is a statement with cosign's "sign" predicate; an
 * attestation carries its own predicate (SLSA provenance, an SBOM).
 * DSSE: https://github.com/secure-systems-lab/dsse/blob/master/protocol.md
 */
import { canonicalJson, type Descriptor, type Digest, digestHex } from "../../oci/index.js";
import type { SigningKey, VerifyKey } from "./keys.js";

/** The media type of a Sigstore bundle, also the artifactType of the referrer holding it. */
export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
/** The DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
/** The predicate cosign verifies for `cosign verify`: "this digest is signed". */
export const SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
/** in-toto Statement v1. */
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";

/** A DSSE envelope as JSON carries it. */
export interface Envelope {
  payload: string;
  payloadType: string;
  signatures: { sig: string }[];
}

/** DSSE's pre-authentication encoding: what is signed, so that the type cannot be swapped. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "utf8"),
    type,
    Buffer.from(` ${payload.length} `, "utf8"),
    payload,
  ]);
}

/** The statement cosign signs for a plain signature of `digest`. */
export function signatureStatement(digest: Digest): Buffer {
  return Buffer.from(
    canonicalJson({
      _type: STATEMENT_TYPE,
      subject: [{ digest: { sha256: digestHex(digest) } }],
      predicateType: SIGN_PREDICATE,
      predicate: {},
    }),
  );
}

/** `statement` signed with `key`, in a Sigstore bundle. */
export function signedBundle(statement: Buffer, key: SigningKey): Buffer {
  const envelope: Envelope = {
    payload: statement.toString("base64"),
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    signatures: [{ sig: key.sign(pae(IN_TOTO_PAYLOAD_TYPE, statement)).toString("base64") }],
  };
  return Buffer.from(
    canonicalJson({
      mediaType: BUNDLE_MEDIA_TYPE,
      verificationMaterial: { publicKey: { hint: key.publicKey.hint } },
      dsseEnvelope: envelope,
    }),
  );
}

/** What a verified bundle says. */
export interface VerifiedStatement {
  predicateType: string;
  /** The sha256 digests the statement's subjects name. */
  subjects: Digest[];
  statement: Buffer;
}

/** The statement inside `bundle` when one of its signatures verifies with `key`; undefined otherwise. */
export function openBundle(bundle: Buffer, key: VerifyKey): VerifiedStatement | undefined {
  let parsed: { mediaType?: unknown; dsseEnvelope?: Partial<Envelope> };
  try {
    parsed = JSON.parse(bundle.toString("utf8"));
  } catch {
    return undefined;
  }
  const envelope = parsed.dsseEnvelope;
  if (
    typeof envelope?.payload !== "string" ||
    envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE ||
    !Array.isArray(envelope.signatures)
  ) {
    return undefined;
  }
  const payload = Buffer.from(envelope.payload, "base64");
  const signed = pae(envelope.payloadType, payload);
  const ok = envelope.signatures.some(
    (s) => typeof s?.sig === "string" && key.verify(signed, Buffer.from(s.sig, "base64")),
  );
  if (!ok) return undefined;
  try {
    const statement = JSON.parse(payload.toString("utf8")) as {
      _type?: unknown;
      predicateType?: unknown;
      subject?: { digest?: { sha256?: unknown } }[];
    };
    if (typeof statement.predicateType !== "string" || !Array.isArray(statement.subject)) return undefined;
    const subjects = statement.subject
      .map((s) => s?.digest?.sha256)
      .filter((hex): hex is string => typeof hex === "string" && /^[0-9a-f]{64}$/.test(hex))
      .map((hex): Digest => `sha256:${hex}`);
    return { predicateType: statement.predicateType, subjects, statement: payload };
  } catch {
    return undefined;
  }
}

/** The annotations cosign puts on a bundle's referrer manifest (no creation time: dray adds no clock). */
export function bundleAnnotations(predicateType: string): Record<string, string> {
  return {
    "dev.sigstore.bundle.content": "dsse-envelope",
    "dev.sigstore.bundle.predicateType": predicateType,
  };
}

/** A subject descriptor as a referrer names it. */
export type Subject = Pick<Descriptor, "mediaType" | "digest" | "size">;

/**
 * True when a referrer may hold a bundle: its artifactType says so, or says nothing useful (cosign's
 * own referrers-tag entries carry the empty config's type instead of the manifest's).
 */
export function mayHoldBundle(descriptor: { artifactType?: string }): boolean {
  const type = descriptor.artifactType;
  return type === undefined || type === BUNDLE_MEDIA_TYPE || type === "application/vnd.oci.empty.v1+json";
}
