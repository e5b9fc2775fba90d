import { describe, expect, it } from "vitest";
import { createFakeTransport, type FakeReply } from "../../../test/support/fake-transport.js";
import { RemoteError } from "../../errors/errors.js";
import { sha256Digest } from "../../oci/digest.js";
import { MediaType } from "../../oci/types.js";
import { staticCredentialSource } from "../credentials.js";
import type { HttpRequest } from "../http.js";
import { createRegistryClient } from "./client.js";

const manifest = Buffer.from('{"schemaVersion":2}');
const manifestDigest = sha256Digest(manifest);

function fake(registry: string, handler: (r: HttpRequest) => FakeReply, options = {}) {
  const transport = createFakeTransport(handler);
  const client = createRegistryClient(
    registry,
    { credentials: staticCredentialSource({}), sleep: async () => {}, ...options },
    { transport },
  );
  return { client, transport };
}

describe("mountBlob", () => {
  it("cancels the upload a refused mount opened, and says false", async () => {
    const { client, transport } = fake("reg.example", (r) =>
      r.method === "POST"
        ? { status: 202, headers: { location: "/v2/a/b/blobs/uploads/u1?_state=s" } }
        : { status: 204 },
    );
    expect(await client.mountBlob("a/b", manifestDigest, "c/d")).toBe(false);
    expect(transport.requests.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      `POST /v2/a/b/blobs/uploads/?mount=${encodeURIComponent(manifestDigest)}&from=c%2Fd`,
      "DELETE /v2/a/b/blobs/uploads/u1?_state=s",
    ]);
  });
});

describe("referrers", () => {
  it("asks a registry without the referrers API once: after its 404, later listings send nothing", async () => {
    const { client, transport } = fake("reg.example", () => ({ status: 404 }));
    expect(await client.getReferrers!("a/b", manifestDigest)).toBeUndefined();
    expect(await client.getReferrers!("c/d", manifestDigest)).toBeUndefined();
    expect(transport.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      `GET /v2/a/b/referrers/${manifestDigest}`,
    ]);
  });

  it("keeps asking a registry that has the API", async () => {
    const index = Buffer.from('{"schemaVersion":2,"manifests":[]}');
    const { client, transport } = fake("reg.example", () => ({ status: 200, body: index }));
    expect(await client.getReferrers!("a/b", manifestDigest)).toEqual(index);
    expect(await client.getReferrers!("c/d", manifestDigest)).toEqual(index);
    expect(transport.requests).toHaveLength(2);
  });
});

describe("manifests", () => {
  it("sends the media type and the Accept list", async () => {
    const { client, transport } = fake("reg.example", (r) =>
      r.method === "PUT"
        ? { status: 201, headers: { "docker-content-digest": manifestDigest } }
        : { status: 200, headers: { "content-type": MediaType.index }, body: manifest },
    );
    expect(await client.putManifest("a/b", "v1", MediaType.index, manifest)).toBe(manifestDigest);
    expect(transport.requests[0]!.headers?.["Content-Type"]).toBe(MediaType.index);
    expect(await client.getManifest("a/b", manifestDigest)).toEqual({
      mediaType: MediaType.index,
      digest: manifestDigest,
      bytes: manifest,
    });
    expect(transport.requests[1]!.headers?.["Accept"]).toContain(MediaType.dockerManifestList);
  });

  it("names the media type a registry refuses, with its own words", async () => {
    const { client } = fake("reg.example", () => ({
      status: 400,
      body: {
        errors: [{ code: "MANIFEST_INVALID", message: "manifest invalid", detail: "unknown media type" }],
      },
    }));
    await expect(client.putManifest("a/b", "v1", MediaType.index, manifest)).rejects.toThrow(
      `registry reg.example rejected the manifest media type ${MediaType.index}: MANIFEST_INVALID: manifest invalid`,
    );
  });

  it("fails when the registry reports another digest, or sends bytes that do not match the one asked for", async () => {
    const other = sha256Digest("other");
    const { client } = fake("reg.example", (r) =>
      r.method === "PUT"
        ? { status: 201, headers: { "docker-content-digest": other } }
        : { status: 200, headers: { "content-type": MediaType.manifest }, body: "tampered" },
    );
    await expect(client.putManifest("a/b", "v1", MediaType.manifest, manifest)).rejects.toThrow(
      /reports digest/,
    );
    const error = await client.getManifest("a/b", manifestDigest).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toMatch(/whose bytes hash to/);
  });

  it("HEAD falls back to GET when the registry leaves out the digest header", async () => {
    const { client, transport } = fake("reg.example", (r) =>
      r.method === "HEAD"
        ? { status: 200, headers: { "content-type": MediaType.manifest } }
        : {
            status: 200,
            headers: { "content-type": "application/json" },
            body: `{"mediaType":"${MediaType.manifest}"}`,
          },
    );
    const body = Buffer.from(`{"mediaType":"${MediaType.manifest}"}`);
    expect(await client.headManifest("a/b", "v1")).toEqual({
      mediaType: MediaType.manifest,
      digest: sha256Digest(body),
      size: body.length,
    });
    expect(transport.requests.map((r) => r.method)).toEqual(["HEAD", "GET"]);
  });

  it("rejects repository names and references that could escape the URL path", async () => {
    const { client, transport } = fake("reg.example", () => ({ status: 200 }));
    await expect(client.getManifest("../x", "v1")).rejects.toThrow(/not a valid repository name/);
    await expect(client.getManifest("a/b", "../../x")).rejects.toThrow(/neither a tag nor a sha256 digest/);
    expect(transport.requests).toEqual([]);
  });
});

describe("scheme", () => {
  it("uses HTTPS off loopback without probing", async () => {
    const { client, transport } = fake("reg.example", () => ({ status: 404 }));
    expect(await client.hasBlob("a/b", manifestDigest)).toBe(false);
    expect(transport.requests.map((r) => r.url.origin)).toEqual(["https://reg.example"]);
  });

  it("falls back to plain HTTP on loopback when the port does not speak TLS", async () => {
    const { client, transport } = fake("127.0.0.1:5000", (r) => {
      if (r.url.protocol === "https:")
        throw Object.assign(new Error("wrong version number"), { code: "ERR_SSL_WRONG_VERSION_NUMBER" });
      return { status: r.url.pathname === "/v2/" ? 200 : 404 };
    });
    expect(await client.hasBlob("a/b", manifestDigest)).toBe(false);
    expect(transport.requests.map((r) => r.url.href)).toEqual([
      "https://127.0.0.1:5000/v2/",
      "http://127.0.0.1:5000/v2/",
      `http://127.0.0.1:5000/v2/a/b/blobs/${manifestDigest}`,
    ]);
  });

  it("does not fall back to HTTP when the certificate is the problem", async () => {
    const { client, transport } = fake("127.0.0.1:5000", () => {
      throw Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    });
    await expect(client.hasBlob("a/b", manifestDigest)).rejects.toThrow(
      /^TLS certificate of 127.0.0.1:5000 is not trusted \(self-signed certificate\)/,
    );
    expect(transport.requests).toHaveLength(1);
  });

  it("reports 5xx that outlived the retries as retryable", async () => {
    const retries: unknown[] = [];
    const { client } = fake("reg.example", () => ({ status: 503 }), {
      maxAttempts: 3,
      onRetry: (i: unknown) => retries.push(i),
    });
    await expect(client.hasBlob("a/b", manifestDigest)).rejects.toMatchObject({
      status: 503,
      retryable: true,
    });
    expect(retries).toHaveLength(2);
  });

  it("names a CA file it cannot read before sending anything", async () => {
    const client = createRegistryClient("reg.example", { caFile: "/nonexistent/ca.pem" });
    await expect(client.hasBlob("a/b", manifestDigest)).rejects.toThrow(
      "cannot read the CA file /nonexistent/ca.pem given for registry reg.example (ENOENT)",
    );
  });
});
