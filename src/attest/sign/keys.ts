/**
 * Signing keys: ECDSA P-256 or Ed25519, in PEM (PKCS#8, SEC1, encrypted PKCS#8) or in cosign's
 * encrypted format. Nothing here ever puts key bytes or the passphrase into an error, a log line or
 * a trace: errors name the file and say what to do, and carry no cause whose text could echo them.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from "node:crypto";
import { readFile } from "node:fs/promises";
import { ExitCode, UserError } from "../../errors/index.js";
import { decryptCosignKey, isCosignEncrypted } from "./cosign-key.js";

/** The two kinds of key dray signs with. */
export type KeyAlgorithm = "ecdsa-p256" | "ed25519";

/** A public key that verifies signatures. */
export interface VerifyKey {
  readonly algorithm: KeyAlgorithm;
  /** base64 of the SHA-256 of the key's DER SubjectPublicKeyInfo: what a Sigstore bundle calls the key's hint. */
  readonly hint: string;
  verify(data: Buffer, signature: Buffer): boolean;
}

/** A private key that signs, with its public half. */
export interface SigningKey {
  readonly publicKey: VerifyKey;
  sign(data: Buffer): Buffer;
}

/** The passphrase of an encrypted key comes from here, never from a flag or dray.yaml. */
export const PASSPHRASE_VARIABLE = "DRAY_SIGN_PASSWORD";

/** Reads and opens the private key at `file`; an encrypted one is opened with DRAY_SIGN_PASSWORD. */
export async function loadSigningKey(file: string, env: NodeJS.ProcessEnv): Promise<SigningKey> {
  const text = await readKeyFile(file, "signing key");
  const key = await privateKeyFrom(text, file, env[PASSPHRASE_VARIABLE]);
  const publicKey = verifyKeyOf(createPublicKey(key), file);
  const digest = publicKey.algorithm === "ed25519" ? null : "sha256";
  return { publicKey, sign: (data) => cryptoSign(digest, data, key) };
}

/** Reads the public key at `file` (a PEM "PUBLIC KEY", as `cosign generate-key-pair` writes it). */
export async function loadVerifyKey(file: string): Promise<VerifyKey> {
  const text = await readKeyFile(file, "public key");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: "pem" });
  } catch {
    throw badKey(file, "is not a PEM public key", "Pass the public half of the key pair (cosign.pub).");
  }
  return verifyKeyOf(key, file);
}

async function readKeyFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new UserError(`cannot read the ${what} ${file} (${code})`, {
      exitCode: ExitCode.usage,
      hint: "Check the path: it is relative to the directory dray runs in (or to dray.yaml when set there).",
    });
  }
}

async function privateKeyFrom(
  text: string,
  file: string,
  passphrase: string | undefined,
): Promise<KeyObject> {
  if (isCosignEncrypted(text)) {
    const der = await decryptCosignKey(text, passphrase ?? "").catch(() => undefined);
    if (!der) {
      throw badKey(
        file,
        passphrase === undefined
          ? "is encrypted and no passphrase was given"
          : "could not be decrypted with the passphrase given",
        `Set ${PASSPHRASE_VARIABLE} to the key's passphrase (an empty one when it was made with COSIGN_PASSWORD=).`,
      );
    }
    try {
      return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    } catch {
      throw badKey(file, "holds no PKCS#8 private key once decrypted", "Generate it again with cosign.");
    }
  }
  try {
    return createPrivateKey({
      key: text,
      format: "pem",
      ...(passphrase !== undefined ? { passphrase } : {}),
    });
  } catch {
    throw badKey(
      file,
      "is not a PEM private key that opens",
      `Use a PEM private key (PKCS#8 or EC), or a cosign key with ${PASSPHRASE_VARIABLE} set.`,
    );
  }
}

function verifyKeyOf(key: KeyObject, file: string): VerifyKey {
  const algorithm = algorithmOf(key);
  if (!algorithm) {
    throw badKey(file, "is neither an ECDSA P-256 nor an Ed25519 key", "Use `cosign generate-key-pair`.");
  }
  const der = key.export({ type: "spki", format: "der" });
  const digest = algorithm === "ed25519" ? null : "sha256";
  return {
    algorithm,
    hint: createHash("sha256").update(der).digest("base64"),
    verify: (data, signature) => {
      try {
        return cryptoVerify(digest, data, key, signature);
      } catch {
        return false;
      }
    },
  };
}

function algorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  if (key.asymmetricKeyType === "ed25519") return "ed25519";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    return "ecdsa-p256";
  }
  return undefined;
}

function badKey(file: string, what: string, hint: string): UserError {
  return new UserError(`the key ${file} ${what}`, { exitCode: ExitCode.usage, hint });
}
