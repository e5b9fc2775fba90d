/**
 * cosign's encrypted private key: PEM type "ENCRYPTED SIGSTORE PRIVATE KEY" (older keys say COSIGN)
 * around base64 JSON `{kdf: {name: "scrypt", params: {N, r, p}, salt}, cipher: {name:
 * "nacl/secretbox", nonce}, ciphertext}`; the plaintext is the PKCS#8 DER key. scrypt is Node's; the
 * secretbox (XSalsa20-Poly1305) is not, so @noble/ciphers is loaded for it, and only here.
 */
import { scrypt } from "node:crypto";

const PEM =
  /-----BEGIN ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----([\s\S]*?)-----END ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----/;

/** True when `text` is a cosign encrypted key. */
export function isCosignEncrypted(text: string): boolean {
  return PEM.test(text);
}

interface EncryptedKey {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

/** scrypt's N is a power of two; cosign uses 2^15 or 2^16. Beyond 2^20 is not a key we made. */
const MAX_N = 2 ** 20;

/** The PKCS#8 DER key inside `text`, opened with `passphrase`; throws (without details) when it does not open. */
export async function decryptCosignKey(text: string, passphrase: string): Promise<Buffer> {
  const body = PEM.exec(text)?.[1]?.replace(/\s+/g, "") ?? "";
  const parsed = JSON.parse(Buffer.from(body, "base64").toString("utf8")) as EncryptedKey;
  const { kdf, cipher } = parsed;
  const { N, r, p } = kdf.params;
  if (kdf.name !== "scrypt" || cipher.name !== "nacl/secretbox" || !(N > 1 && N <= MAX_N)) {
    throw new Error("unsupported cosign key encryption");
  }
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      Buffer.from(passphrase, "utf8"),
      Buffer.from(kdf.salt, "base64"),
      32,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (error, derived) => (error ? reject(new Error("scrypt failed")) : resolve(derived)),
    ),
  );
  const { xsalsa20poly1305 } = await import("@noble/ciphers/salsa");
  const opened = xsalsa20poly1305(key, Buffer.from(cipher.nonce, "base64")).decrypt(
    Buffer.from(parsed.ciphertext, "base64"),
  );
  return Buffer.from(opened);
}
