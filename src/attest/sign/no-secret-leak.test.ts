/**
 * Every way opening a signing key can fail, with known secrets in play: no error may show the
 * passphrase or any part of the key — not in its message, stack, hint, details, JSON or inspect
 * output — and none carries a cause whose text could.
 */
import { generateKeyPairSync, randomBytes, scryptSync } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSigningKey, PASSPHRASE_VARIABLE } from "./keys.js";

const PASSPHRASE = "Pa55phrase-Secret-9";
const WRONG = "Wr0ng-Pa55phrase-8";
const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const pkcs8 = pair.privateKey.export({ type: "pkcs8", format: "der" });
const pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
/** Pieces of the key as they could leak: PEM lines, the DER in hex and base64. */
const KEY_PARTS = [
  ...pem.split("\n").filter((l) => l && !l.startsWith("-----")),
  pkcs8.toString("hex").slice(-64),
  pkcs8.toString("base64").slice(-40),
];
let dir: string;

function cosignKey(passphrase: string, tamper = false): string {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(passphrase, salt, 32, { N: 1024, r: 8, p: 1 });
  const ciphertext = Buffer.from(xsalsa20poly1305(key, nonce).encrypt(pkcs8));
  if (tamper) ciphertext[5]! ^= 0xff;
  const json = JSON.stringify({
    kdf: { name: "scrypt", params: { N: 1024, r: 8, p: 1 }, salt: salt.toString("base64") },
    cipher: { name: "nacl/secretbox", nonce: nonce.toString("base64") },
    ciphertext: ciphertext.toString("base64"),
  });
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(json).toString("base64")}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-key-leak-"));
  const files: Record<string, string> = {
    "cosign.key": cosignKey(PASSPHRASE),
    "tampered.key": cosignKey(PASSPHRASE, true),
    "pkcs8-encrypted.key": pair.privateKey.export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: PASSPHRASE,
    }) as string,
    // A key whose text is cut: the parser's complaint must not quote it.
    "truncated.key": pem.slice(0, pem.length - 60),
    "rsa.key": generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
});

const cases = [
  { description: "a cosign key with a wrong passphrase", file: "cosign.key", passphrase: WRONG },
  { description: "a cosign key without a passphrase", file: "cosign.key", passphrase: undefined },
  { description: "a cosign key whose ciphertext was altered", file: "tampered.key", passphrase: PASSPHRASE },
  {
    description: "an encrypted PKCS#8 key with a wrong passphrase",
    file: "pkcs8-encrypted.key",
    passphrase: WRONG,
  },
  { description: "a truncated PEM key", file: "truncated.key", passphrase: PASSPHRASE },
  { description: "an RSA key", file: "rsa.key", passphrase: PASSPHRASE },
  { description: "a missing key file", file: "missing.key", passphrase: PASSPHRASE },
];

describe("opening a signing key fails without showing secrets", () => {
  it.each(cases)("$description", async ({ file, passphrase }) => {
    const env = passphrase === undefined ? {} : { [PASSPHRASE_VARIABLE]: passphrase };
    const error = (await loadSigningKey(path.join(dir, file), env).catch((e: unknown) => e)) as Error & {
      hint?: string;
      details?: string;
    };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain(file);
    expect(error.cause).toBeUndefined();
    const views = [
      error.message,
      error.stack ?? "",
      JSON.stringify(error),
      inspect(error, { depth: 20, showHidden: true }),
      String(error.hint),
      String(error.details),
    ];
    for (const secret of [PASSPHRASE, WRONG, ...KEY_PARTS])
      for (const view of views) expect(view).not.toContain(secret);
  });
});
