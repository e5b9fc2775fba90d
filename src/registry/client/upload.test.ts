import { describe, expect, it } from "vitest";
import {
  connectionReset,
  createFakeTransport,
  type FakeReply,
} from "../../../test/support/fake-transport.js";
import { blobFromBytes } from "../../oci/blob.js";
import { staticCredentialSource } from "../credentials.js";
import type { HttpRequest } from "../http.js";
import { createRegistryClient } from "./client.js";
import { defaultUploadTuning } from "./upload.js";

const bytes = Buffer.from("0123456789abcdefghij"); // 20 bytes: chunks of 8 → 0-7, 8-15, 16-19
const blob = blobFromBytes("application/octet-stream", bytes);
const { digest } = blob.descriptor;

/** A registry's upload endpoints over a fake transport; `patch` decides each PATCH's fate. */
function fakeUploads(
  patch: (r: HttpRequest, n: number) => FakeReply | "store",
  status?: (stored: number) => FakeReply,
) {
  let stored = Buffer.alloc(0);
  let sessions = 0;
  let patches = 0;
  const transport = createFakeTransport((r) => {
    const path = r.url.pathname;
    if (r.method === "POST") {
      sessions++;
      stored = Buffer.alloc(0);
      // Relative, with query state that must survive every step.
      return {
        status: 202,
        headers: { location: `/v2/a/b/blobs/uploads/s${sessions}?_state=st${sessions}` },
      };
    }
    if (r.method === "PATCH") {
      const outcome = patch(r, patches++);
      if (outcome !== "store") return outcome;
      stored = Buffer.concat([stored, r.body!]);
      return {
        status: 202,
        headers: { location: `${path}?_state=after${stored.length}`, range: `0-${stored.length - 1}` },
      };
    }
    if (r.method === "GET") return status ? status(stored.length) : { status: 404 };
    if (r.method === "PUT") {
      const whole = Buffer.concat([stored, r.body!]);
      const ok = whole.equals(bytes) && r.url.searchParams.get("digest") === digest;
      return ok
        ? { status: 201, headers: { "docker-content-digest": digest } }
        : { status: 400, body: { errors: [{ code: "DIGEST_INVALID", message: "digest did not match" }] } };
    }
    if (r.method === "HEAD") return { status: 404 };
    return { status: 500 };
  });
  const client = createRegistryClient(
    "reg.example",
    { credentials: staticCredentialSource({}), sleep: async () => {} },
    { transport, upload: { chunkBytes: 8, monolithicMaxBytes: 8 } },
  );
  return { client, transport, sessions: () => sessions };
}

const summary = (requests: HttpRequest[]) =>
  requests.map((r) =>
    `${r.method} ${r.url.pathname}${r.url.search} ${r.headers?.["Content-Range"] ?? ""}`.trim(),
  );

describe("chunked upload", () => {
  it("PATCHes 8-byte chunks with Content-Range, follows each Location and closes with ?digest=", async () => {
    const { client, transport } = fakeUploads(() => "store");
    const sent: number[] = [];
    await client.uploadBlob("a/b", blob, (p) => sent.push(p.sent));
    expect(summary(transport.requests)).toEqual([
      "POST /v2/a/b/blobs/uploads/",
      "PATCH /v2/a/b/blobs/uploads/s1?_state=st1 0-7",
      "PATCH /v2/a/b/blobs/uploads/s1?_state=after8 8-15",
      "PATCH /v2/a/b/blobs/uploads/s1?_state=after16 16-19",
      `PUT /v2/a/b/blobs/uploads/s1?_state=after20&digest=${encodeURIComponent(digest)}`,
    ]);
    expect(transport.requests[1]!.headers?.["Content-Type"]).toBe("application/octet-stream");
    expect(sent).toEqual([8, 16, 20, 20]);
  });

  it("resumes from the offset the registry reports after a chunk breaks", async () => {
    const { client, transport, sessions } = fakeUploads(
      (_r, n) => {
        if (n === 1) throw connectionReset();
        return "store";
      },
      (stored) => ({
        status: 204,
        headers: { range: `0-${stored - 1}`, location: "/v2/a/b/blobs/uploads/s1?_state=resumed" },
      }),
    );
    await client.uploadBlob("a/b", blob);
    expect(sessions()).toBe(1);
    expect(summary(transport.requests).slice(2, 5)).toEqual([
      "PATCH /v2/a/b/blobs/uploads/s1?_state=after8 8-15",
      "GET /v2/a/b/blobs/uploads/s1?_state=after8",
      "PATCH /v2/a/b/blobs/uploads/s1?_state=resumed 8-15",
    ]);
  });

  it("restarts from scratch when the session is gone, after checking the blob did not land", async () => {
    const { client, transport, sessions } = fakeUploads((_r, n) => (n === 1 ? { status: 503 } : "store"));
    await client.uploadBlob("a/b", blob);
    expect(sessions()).toBe(2);
    expect(summary(transport.requests)).toContain(`HEAD /v2/a/b/blobs/${digest}`);
  });

  it("gives up after the bounded restarts with a retryable error naming the registry", async () => {
    const { client, sessions } = fakeUploads(() => ({ status: 503 }));
    await expect(client.uploadBlob("a/b", blob)).rejects.toMatchObject({
      name: "RemoteError",
      retryable: true,
      message: expect.stringMatching(/^registry reg.example failed to upload a chunk to a\/b \(HTTP 503\)/),
    });
    // The first session and every allowed restart, then it gives up.
    expect(sessions()).toBe(1 + defaultUploadTuning.maxRestarts);
    expect(defaultUploadTuning.maxRestarts).toBe(4);
  });

  it("refuses a blob whose bytes do not match its descriptor before sending anything", async () => {
    const { client, transport } = fakeUploads(() => "store");
    const lying = { descriptor: { ...blob.descriptor, size: 3 }, bytes: async () => bytes };
    await expect(client.uploadBlob("a/b", lying)).rejects.toThrow(/does not match its bytes/);
    expect(transport.requests).toEqual([]);
  });
});

describe("chunked upload of a blob read in slices", () => {
  /** The blob as a layout offers a large one: read by range, with the error for a corrupted file. */
  const sliced = (stored: Buffer, reads: string[] = []) => ({
    descriptor: blob.descriptor,
    bytes: async () => {
      throw new Error("a sliced blob must not be read whole");
    },
    slice: async (start: number, end: number) => {
      reads.push(`${start}-${end}`);
      return stored.subarray(start, end);
    },
    corrupted: (actual: string) =>
      new Error(`blob ${digest} in the layout is corrupted: it hashes to ${actual}`),
  });

  it("reads one slice per chunk, never the whole blob, and commits it", async () => {
    const { client, transport } = fakeUploads(() => "store");
    const reads: string[] = [];
    await client.uploadBlob("a/b", sliced(bytes, reads));
    expect(reads).toEqual(["0-8", "8-16", "16-20"]);
    expect(summary(transport.requests).at(-1)).toMatch(/^PUT .*digest=/);
  });

  it("hashes a chunk sent again after a break only once, and still commits it", async () => {
    const { client, transport } = fakeUploads(
      (_r, n) => {
        if (n === 1) throw connectionReset();
        return "store";
      },
      (stored) => ({ status: 204, headers: { range: `0-${stored - 1}` } }),
    );
    await client.uploadBlob("a/b", sliced(bytes));
    expect(summary(transport.requests).at(-1)).toMatch(/^PUT .*digest=/);
  });

  it("stops before the closing PUT when the file's bytes are not the digest, with the blob's own error", async () => {
    const { client, transport } = fakeUploads(() => "store");
    const flipped = Buffer.from(bytes);
    flipped[12] = flipped[12]! ^ 1;
    await expect(client.uploadBlob("a/b", sliced(flipped))).rejects.toThrow(
      new RegExp(`^blob ${digest} in the layout is corrupted: it hashes to sha256:[0-9a-f]{64}$`),
    );
    expect(transport.requests.some((r) => r.method === "PUT")).toBe(false);
  });
});

describe("monolithic upload", () => {
  it("sends a small blob in the closing PUT and checks Docker-Content-Digest", async () => {
    const small = blobFromBytes("application/octet-stream", Buffer.from("tiny"));
    const transport = createFakeTransport((r) =>
      r.method === "POST"
        ? { status: 202, headers: { location: "https://reg.example/up/1?x=1" } }
        : { status: 201, headers: { "docker-content-digest": "sha256:" + "0".repeat(64) } },
    );
    const client = createRegistryClient(
      "reg.example",
      { credentials: staticCredentialSource({}) },
      { transport },
    );
    await expect(client.uploadBlob("a/b", small)).rejects.toThrow(/stored sha256:.* under another digest/);
    expect(transport.requests[1]!.url.search).toBe(
      `?x=1&digest=${encodeURIComponent(small.descriptor.digest)}`,
    );
    expect(transport.requests[1]!.body!.toString()).toBe("tiny");
  });
});
