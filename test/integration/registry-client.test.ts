/**
 * The registry client against Debian's real docker-registry (distribution 2.8) on loopback: plain HTTP,
 * htpasswd, TLS with a throwaway CA, and token auth whose token endpoint is the test fake from support/.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteError, UserError } from "../../src/errors/errors.js";
import { blobFromBytes } from "../../src/oci/blob.js";
import { sha256Digest } from "../../src/oci/digest.js";
import { type Blob, MediaType } from "../../src/oci/types.js";
import { createRegistryClient } from "../../src/registry/client/client.js";
import { staticCredentialSource } from "../../src/registry/credentials.js";
import type { Credential, RegistryClient, UploadProgress } from "../../src/registry/types.js";
import {
  freePort,
  startRegistry,
  startTokenServer,
  type TestRegistry,
  type TestTokenServer,
} from "../support/registry.js";

const noSleep = async () => {};
const creds = (registry: string, credential?: Credential) =>
  staticCredentialSource(credential ? { [registry]: credential } : {});

/** A config, a layer and the OCI manifest naming them. */
function sampleImage(seed: string) {
  const config = blobFromBytes(
    MediaType.config,
    Buffer.from(
      JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, seed }),
    ),
  );
  const layer = blobFromBytes(MediaType.layerGzip, randomBytes(1024));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: config.descriptor,
      layers: [layer.descriptor],
    }),
  );
  return { config, layer, manifest };
}

async function pushImage(client: RegistryClient, repository: string, tag: string, seed: string) {
  const image = sampleImage(seed);
  for (const blob of [image.config, image.layer]) await client.uploadBlob(repository, blob);
  const digest = await client.putManifest(repository, tag, MediaType.manifest, image.manifest);
  return { ...image, digest };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error("expected a rejection");
  return error;
}

describe("plain HTTP registry on loopback", () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry({});
    client = createRegistryClient(registry.url, { sleep: noSleep });
  });
  afterAll(() => registry?.stop());

  it("uploads a small blob in one PUT and reads it back", async () => {
    const blob = blobFromBytes(MediaType.layerGzip, Buffer.from("small blob for dray"));
    const progress: UploadProgress[] = [];
    expect(await client.hasBlob("shop/api", blob.descriptor.digest)).toBe(false);
    await client.uploadBlob("shop/api", blob, (p) => progress.push(p));
    expect(await client.hasBlob("shop/api", blob.descriptor.digest)).toBe(true);
    expect(await client.getBlob("shop/api", blob.descriptor.digest)).toEqual(await blob.bytes());
    expect(progress).toEqual([{ digest: blob.descriptor.digest, sent: 19, total: 19 }]);
  });

  it("uploads a 20 MiB blob in chunks and reads it back", async () => {
    const blob = blobFromBytes(MediaType.layerGzip, randomBytes(20 * 1024 * 1024));
    const progress: UploadProgress[] = [];
    await client.uploadBlob("shop/big", blob, (p) => progress.push(p));
    expect(progress.map((p) => p.sent)).toEqual([8, 16, 20, 20].map((m) => m * 1024 * 1024));
    expect(await client.hasBlob("shop/big", blob.descriptor.digest)).toBe(true);
    const back = await client.getBlob("shop/big", blob.descriptor.digest);
    expect(sha256Digest(back)).toBe(blob.descriptor.digest);
  });

  it("mounts a blob from another repository, and says false when the source lacks it", async () => {
    const blob = blobFromBytes(MediaType.layerGzip, randomBytes(4096));
    await client.uploadBlob("shop/base", blob);
    expect(await client.mountBlob("shop/web", blob.descriptor.digest, "shop/base")).toBe(true);
    expect(await client.hasBlob("shop/web", blob.descriptor.digest)).toBe(true);
    const missing = sha256Digest("never uploaded");
    expect(await client.mountBlob("shop/web", missing, "shop/base")).toBe(false);
    expect(await client.hasBlob("shop/web", missing)).toBe(false);
  });

  it("puts a manifest by tag and gets and heads it by tag and by digest", async () => {
    const pushed = await pushImage(client, "shop/api", "v1", "tag-and-digest");
    expect(pushed.digest).toBe(sha256Digest(pushed.manifest));
    for (const reference of ["v1", pushed.digest]) {
      const fetched = await client.getManifest("shop/api", reference);
      expect(fetched).toEqual({
        mediaType: MediaType.manifest,
        digest: pushed.digest,
        bytes: pushed.manifest,
      });
      expect(await client.headManifest("shop/api", reference)).toEqual({
        mediaType: MediaType.manifest,
        digest: pushed.digest,
        size: pushed.manifest.length,
      });
    }
    expect(await client.putManifest("shop/api", pushed.digest, MediaType.manifest, pushed.manifest)).toBe(
      pushed.digest,
    );
  });

  it("reports what is missing: no manifest, no blob, a manifest naming absent blobs", async () => {
    expect(await client.headManifest("shop/api", "nope")).toBeUndefined();
    const noManifest = await rejection(client.getManifest("shop/api", "nope"));
    expect(noManifest).toBeInstanceOf(RemoteError);
    expect((noManifest as RemoteError).status).toBe(404);
    const noBlob = await rejection(client.getBlob("shop/api", sha256Digest("absent")));
    expect(noBlob.message).toMatch(/has no blob sha256:/);
    const { manifest } = sampleImage("blobs never pushed");
    const bad = await rejection(client.putManifest("shop/api", "broken", MediaType.manifest, manifest));
    expect(bad.message).toMatch(new RegExp(`registry ${registry.url} .*MANIFEST_BLOB_UNKNOWN`));
  });

  it("names the media type the real registry rejects, in one line, with its own words", async () => {
    const odd = "application/vnd.example.thing.v1+json";
    const refused = await rejection(
      client.putManifest("shop/api", "odd", odd, Buffer.from('{"schemaVersion":2}')),
    );
    expect(refused.message).toBe(
      `registry ${registry.url} rejected the manifest media type ${odd}: MANIFEST_INVALID: manifest invalid`,
    );
    expect(refused.message).not.toContain("\n");
  });
});

describe("registry with htpasswd", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { user: "ci", password: "right-password-1" } });
  });
  afterAll(() => registry?.stop());

  it("pushes and pulls with the right password", async () => {
    const client = createRegistryClient(registry.url, {
      credentials: creds(registry.url, { username: "ci", password: "right-password-1" }),
    });
    const pushed = await pushImage(client, "team/app", "latest", "htpasswd");
    expect((await client.getManifest("team/app", "latest")).digest).toBe(pushed.digest);
  });

  it("says the stored credentials were rejected for a wrong password, without showing them", async () => {
    const client = createRegistryClient(registry.url, {
      credentials: creds(registry.url, { username: "ci", password: "wrong-password-2" }),
    });
    const error = await rejection(client.hasBlob("team/app", sha256Digest("x")));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      `registry ${registry.url} rejected the stored credentials — check \`docker login ${registry.url}\` / auth.json`,
    );
  });

  it("says credentials are needed when none are stored", async () => {
    const client = createRegistryClient(registry.url, { credentials: creds(registry.url) });
    const error = await rejection(client.hasBlob("team/app", sha256Digest("x")));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/requires authentication and no credentials are stored for it/);
  });
});

describe("registry with TLS from a private CA", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
  });
  afterAll(() => registry?.stop());

  it("works with the CA file", async () => {
    const client = createRegistryClient(registry.url, { caFile: registry.caFile! });
    const blob = blobFromBytes(MediaType.layerGzip, Buffer.from("over tls"));
    await client.uploadBlob("tls/app", blob);
    expect(await client.hasBlob("tls/app", blob.descriptor.digest)).toBe(true);
  });

  it("works when marked insecure", async () => {
    const client = createRegistryClient(registry.url, { insecure: true });
    expect(await client.hasBlob("tls/app", sha256Digest("x"))).toBe(false);
  });

  it("names the untrusted certificate without the CA", async () => {
    const client = createRegistryClient(registry.url, { sleep: noSleep });
    const error = await rejection(client.hasBlob("tls/app", sha256Digest("x")));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(
      new RegExp(
        `^TLS certificate of ${registry.url} is not trusted \\(unknown issuer\\) — add its CA with \`ca:\``,
      ),
    );
  });
});

describe("registry with token auth (token endpoint: the test fake)", () => {
  let tokens: TestTokenServer;
  let registry: TestRegistry;
  beforeAll(async () => {
    tokens = await startTokenServer({ user: "robot", password: "token-pass-3", refreshToken: "refresh-4" });
    registry = await startRegistry({ token: tokens });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it("pushes and pulls with a password, asking for a token once per scope", async () => {
    const client = createRegistryClient(registry.url, {
      credentials: creds(registry.url, { username: "robot", password: "token-pass-3" }),
    });
    const before = tokens.issued.length;
    const pushed = await pushImage(client, "bearer/app", "v1", "bearer");
    const fetched = await client.getManifest("bearer/app", "v1");
    expect(fetched.digest).toBe(pushed.digest);
    expect(await client.getBlob("bearer/app", pushed.layer.descriptor.digest)).toEqual(
      await pushed.layer.bytes(),
    );
    // One token for pull+push covers every later pull of the same repository.
    expect(tokens.issued.slice(before)).toEqual([
      { account: "robot", scopes: ["repository:bearer/app:pull,push"] },
    ]);
  });

  it("mounts across repositories with a token for both", async () => {
    const client = createRegistryClient(registry.url, {
      credentials: creds(registry.url, { username: "robot", password: "token-pass-3" }),
    });
    const blob: Blob = blobFromBytes(MediaType.layerGzip, randomBytes(2048));
    await client.uploadBlob("bearer/one", blob);
    expect(await client.mountBlob("bearer/two", blob.descriptor.digest, "bearer/one")).toBe(true);
    expect(tokens.issued.at(-1)?.scopes).toEqual([
      "repository:bearer/one:pull",
      "repository:bearer/two:pull,push",
    ]);
  });

  it("exchanges an identity token (refresh token) for access", async () => {
    const client = createRegistryClient(registry.url, {
      credentials: creds(registry.url, { identityToken: "refresh-4" }),
    });
    const blob = blobFromBytes(MediaType.layerGzip, Buffer.from("identity token"));
    await client.uploadBlob("bearer/idt", blob);
    expect(await client.hasBlob("bearer/idt", blob.descriptor.digest)).toBe(true);
  });

  it("rejects a wrong password and asks for a login without credentials", async () => {
    const wrong = createRegistryClient(registry.url, {
      credentials: creds(registry.url, { username: "robot", password: "nope-5" }),
    });
    const rejected = await rejection(wrong.hasBlob("bearer/app", sha256Digest("x")));
    expect(rejected.message).toMatch(/rejected the stored credentials/);
    const anonymous = createRegistryClient(registry.url, { credentials: creds(registry.url) });
    const missing = await rejection(anonymous.hasBlob("bearer/app", sha256Digest("x")));
    expect(missing.message).toMatch(/requires authentication and no credentials are stored/);
  });
});

describe("registries that cannot be reached", () => {
  it("cannot resolve a host under .invalid", async () => {
    const client = createRegistryClient("registry.invalid", { sleep: noSleep });
    const error = await rejection(client.hasBlob("x/y", sha256Digest("x")));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe("cannot resolve registry host registry.invalid — check the name in dray.yaml");
  });

  it("says nothing listens at a closed loopback port, without retrying", async () => {
    const url = `127.0.0.1:${await freePort()}`;
    const retries: unknown[] = [];
    const client = createRegistryClient(url, { onRetry: (r) => retries.push(r) });
    const error = await rejection(client.hasBlob("x/y", sha256Digest("x")));
    expect(error.message).toMatch(new RegExp(`^nothing listens at ${url}`));
    expect(retries).toEqual([]);
  });
});
