/** A self-signed certificate for 127.0.0.1, made with openssl, for test servers that must speak TLS. */
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";

/** Writes key.pem and cert.pem into `dir` and returns their contents. */
export async function selfSignedCertificate(dir: string): Promise<{ key: string; cert: string }> {
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  args.push("-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1");
  args.push("-addext", "subjectAltName=IP:127.0.0.1");
  execFileSync("openssl", args, { stdio: "ignore" });
  return { key: await readFile(key, "utf8"), cert: await readFile(cert, "utf8") };
}
