/**
 * The `X-Registry-Auth` header with which the engine pulls from a registry that needs a login:
 * URL-safe base64 of a JSON credential, sent to the local engine only, never printed or traced.
 */
import { isRegistryHost } from "../oci/index.js";
import type { Credential, CredentialSource } from "../registry/index.js";

/** The registry host of an image reference ("127.0.0.1:5000/shop/api@sha256:…" → "127.0.0.1:5000"), if it names one. */
export function registryOf(image: string): string | undefined {
  // A reference or an image ID: only the first can have a "/", and then its first component may be a host.
  const first = image.split("/")[0]!;
  return image.includes("/") && isRegistryHost(first) ? first : undefined;
}

export function encodeRegistryAuth(credential: Credential, serveraddress: string): string {
  const body = credential.identityToken
    ? { identitytoken: credential.identityToken, serveraddress }
    : { username: credential.username ?? "", password: credential.password ?? "", serveraddress };
  // URL-safe alphabet *with* padding: Docker 20.10 decodes with Go's padded URLEncoding and
  // silently drops a header it cannot decode (Node's "base64url" leaves the padding off).
  return Buffer.from(JSON.stringify(body)).toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}

/** Headers for a pull of `image`: the login the user's Docker/Podman files hold for its registry, or none. */
export async function pullHeaders(
  image: string,
  credentials: CredentialSource,
): Promise<Record<string, string>> {
  const registry = registryOf(image);
  const credential = registry ? await credentials.get(registry) : undefined;
  return credential && registry ? { "X-Registry-Auth": encodeRegistryAuth(credential, registry) } : {};
}
