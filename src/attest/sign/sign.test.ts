import { generateKeyPairSync, randomBytes, scryptSync } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa";
import { beforeAll, describe, expect, it } from "vitest";
import type { Digest } from "../../oci/index.js";
import { openBundle, SIGN_PREDICATE, signatureStatement, signedBundle } from "./bundle.js";
import { loadSigningKey, loadVerifyKey, PASSPHRASE_VARIABLE } from "./keys.js";

const DIGEST: Digest = `sha256:${"ab".repeat(32)}`;
const PASSPHRASE = "correct horse battery staple";
let dir: string;

/** cosign's encrypted key format, made here with a small scrypt cost. */
function cosignEncrypted(pkcs8: Buffer, passphrase: string): string {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(passphrase, salt, 32, { N: 1024, r: 8, p: 1 });
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(pkcs8);
  const json = JSON.stringify({
    kdf: { name: "scrypt", params: { N: 1024, r: 8, p: 1 }, salt: salt.toString("base64") },
    cipher: { name: "nacl/secretbox", nonce: nonce.toString("base64") },
    ciphertext: Buffer.from(ciphertext).toString("base64"),
  });
  const body = Buffer.from(json).toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

const pairs = {
  "ECDSA P-256": generateKeyPairSync("ec", { namedCurve: "prime256v1" }),
  Ed25519: generateKeyPairSync("ed25519"),
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-sign-"));
  for (const [name, pair] of Object.entries(pairs)) {
    const file = name.replace(/\W/g, "");
    await writeFile(path.join(dir, `${file}.key`), pair.privateKey.export({ type: "pkcs8", format: "pem" }));
    await writeFile(path.join(dir, `${file}.pub`), pair.publicKey.export({ type: "spki", format: "pem" }));
    const der = pair.privateKey.export({ type: "pkcs8", format: "der" });
    await writeFile(path.join(dir, `${file}.cosign.key`), cosignEncrypted(der, PASSPHRASE));
  }
});

describe.each(Object.keys(pairs))("a %s key", (name) => {
  const file = (suffix: string) => path.join(dir, `${name.replace(/\W/g, "")}${suffix}`);

  it("signs a bundle that its public key opens, and that no other key or edit passes", async () => {
    const key = await loadSigningKey(file(".key"), {});
    const bundle = signedBundle(signatureStatement(DIGEST), key);
    const opened = openBundle(bundle, await loadVerifyKey(file(".pub")));
    expect(opened).toMatchObject({ predicateType: SIGN_PREDICATE, subjects: [DIGEST] });

    const other = Object.keys(pairs)
      .find((n) => n !== name)!
      .replace(/\W/g, "");
    expect(openBundle(bundle, await loadVerifyKey(path.join(dir, `${other}.pub`)))).toBeUndefined();
    const parsed = JSON.parse(bundle.toString("utf8"));
    parsed.dsseEnvelope.payload = signatureStatement(`sha256:${"cd".repeat(32)}`).toString("base64");
    expect(openBundle(Buffer.from(JSON.stringify(parsed)), key.publicKey)).toBeUndefined();
  });

  it("opens from cosign's encrypted format with the passphrase, to the same public key", async () => {
    const plain = await loadSigningKey(file(".key"), {});
    const encrypted = await loadSigningKey(file(".cosign.key"), { [PASSPHRASE_VARIABLE]: PASSPHRASE });
    expect(encrypted.publicKey.hint).toBe(plain.publicKey.hint);
    expect(openBundle(signedBundle(signatureStatement(DIGEST), encrypted), plain.publicKey)).toBeDefined();
  });
});

it("refuses an RSA key, naming the file and the kinds it takes", async () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = path.join(dir, "rsa.key");
  await writeFile(keyFile, rsa.privateKey.export({ type: "pkcs8", format: "pem" }));
  await expect(loadSigningKey(keyFile, {})).rejects.toThrow(
    /rsa\.key is neither an ECDSA P-256 nor an Ed25519 key/,
  );
});
