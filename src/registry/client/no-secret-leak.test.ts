/**
 * Every failure the client can report, triggered with known secrets in play: none of them may show a
 * password, identity token, Basic value or bearer token in a message, stack, JSON, inspect output,
 * hint, details, cause, or in what onRetry receives. Remote bodies here echo the secrets on purpose.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeTransport, type FakeReply } from "../../../test/support/fake-transport.js";
import { sha256Digest } from "../../oci/digest.js";
import { MediaType } from "../../oci/types.js";
import { createDefaultCredentialSource, staticCredentialSource } from "../credentials.js";
import type { HttpRequest } from "../http.js";
import type { Credential } from "../types.js";
import { createRegistryClient } from "./client.js";

const REGISTRY = "reg.example";
const PASSWORD = "S3cr3t-Pa55w0rd-1";
const IDENTITY = "Id3ntity-T0ken-2";
const TOKEN = "Bearer-T0ken-3";
const BASIC = Buffer.from(`robot:${PASSWORD}`).toString("base64");
const SECRETS = [PASSWORD, IDENTITY, TOKEN, BASIC];
const digest = sha256Digest("x");

/** Fails the test if any secret shows anywhere in the error or the retry reports. */
function expectClean(error: unknown, retries: unknown[] = []): void {
  expect(error).toBeInstanceOf(Error);
  const e = error as Error & { hint?: string; details?: string };
  const views = [
    e.message,
    e.stack ?? "",
    JSON.stringify(e),
    inspect(e, { depth: 20, showHidden: true }),
    String(e.hint),
    String(e.details),
    JSON.stringify(retries),
  ];
  for (const secret of SECRETS) for (const view of views) expect(view).not.toContain(secret);
}

/** Echoes everything the request carried (a server can only repeat what it was sent), the way a careless one might. */
function echo(request: HttpRequest): string {
  return `${JSON.stringify(request.headers)} ${request.url.href} ${request.body?.toString() ?? ""}`;
}

function client(
  credential: Credential,
  registry: (r: HttpRequest) => FakeReply,
  tokens?: (r: HttpRequest) => FakeReply,
) {
  const retries: unknown[] = [];
  const transport = createFakeTransport((r) =>
    r.url.host === "auth.example" && tokens ? tokens(r) : registry(r),
  );
  const c = createRegistryClient(
    REGISTRY,
    {
      credentials: staticCredentialSource({ [REGISTRY]: credential }),
      sleep: async () => {},
      onRetry: (info) => retries.push(info),
    },
    { transport },
  );
  return { c, retries, transport };
}

const password = { username: "robot", password: PASSWORD };
const bearer = (extra = "") => ({
  status: 401,
  headers: { "www-authenticate": `Bearer realm="https://auth.example/token",service="reg"${extra}` },
  body: { errors: [{ code: "UNAUTHORIZED", message: `authentication required ${PASSWORD}` }] },
});
const tokenOk = () => ({ status: 200, body: { token: TOKEN } });

describe("no secret in any error", () => {
  const cases: {
    why: string;
    credential: Credential;
    registry: (r: HttpRequest) => FakeReply;
    tokens?: (r: HttpRequest) => FakeReply;
  }[] = [
    {
      why: "Basic password refused",
      credential: password,
      registry: () => ({ status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
    },
    {
      why: "token endpoint refuses the password",
      credential: password,
      registry: () => bearer(),
      tokens: (r) => ({ status: 401, body: echo(r) }),
    },
    {
      why: "token endpoint refuses the identity token",
      credential: { identityToken: IDENTITY },
      registry: () => bearer(),
      tokens: (r) => ({ status: 401, body: echo(r) }),
    },
    {
      why: "token endpoint fails with an echo",
      credential: password,
      registry: () => bearer(),
      tokens: (r) => ({ status: 503, body: echo(r) }),
    },
    {
      why: "token endpoint fails for an identity token",
      credential: { identityToken: IDENTITY },
      registry: () => bearer(),
      tokens: (r) => ({ status: 500, body: echo(r) }),
    },
    {
      why: "token endpoint sends broken JSON",
      credential: password,
      registry: () => bearer(),
      tokens: (r) => ({ status: 200, body: `{"token": "${TOKEN}" ${echo(r)}` }),
    },
    { why: "token refused by the registry", credential: password, registry: () => bearer(), tokens: tokenOk },
    {
      why: "scope not granted",
      credential: password,
      registry: (r) => (r.headers?.["Authorization"] ? bearer(',error="insufficient_scope"') : bearer()),
      tokens: tokenOk,
    },
    {
      why: "registry 500 echoing the Authorization header",
      credential: password,
      registry: (r) =>
        r.headers?.["Authorization"]
          ? { status: 500, body: { errors: [{ code: "UNKNOWN", message: echo(r) }] } }
          : bearer(),
      tokens: tokenOk,
    },
    {
      why: "registry 403 echoing",
      credential: password,
      registry: (r) => (r.headers?.["Authorization"] ? { status: 403, body: echo(r) } : bearer()),
      tokens: tokenOk,
    },
    {
      why: "registry 400 echoing, Basic",
      credential: password,
      registry: (r) =>
        r.headers?.["Authorization"]
          ? { status: 400, body: { errors: [{ code: "MANIFEST_INVALID", message: echo(r) }] } }
          : { status: 401, headers: { "www-authenticate": "Basic realm=r" } },
    },
    {
      why: "plain-HTTP realm refused",
      credential: password,
      registry: () => ({
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="http://auth.example/token"' },
      }),
    },
  ];
  it.each(cases)("$why", async ({ credential, registry, tokens }) => {
    const { c, retries } = client(credential, registry, tokens);
    for (const attempt of [
      () => c.hasBlob("a/b", digest),
      () => c.getManifest("a/b", "v1"),
      () => c.putManifest("a/b", "v1", MediaType.manifest, Buffer.from("{}")),
      () =>
        c.uploadBlob("a/b", {
          descriptor: { mediaType: "x", digest, size: 1 },
          bytes: async () => Buffer.from("x"),
        }),
    ]) {
      const error = await attempt().then(
        () => new Error("no error"),
        (e: unknown) => e,
      );
      expect((error as Error).message).not.toBe("no error");
      expectClean(error, retries);
    }
  });

  it("never sends the registry's Authorization to a host it redirects to", async () => {
    const blob = Buffer.from("redirected blob");
    const { c, transport } = client(
      password,
      (r) => {
        if (r.url.host === "storage.example") return { status: 200, body: blob };
        if (!r.headers?.["Authorization"]) return bearer();
        return { status: 307, headers: { location: "https://storage.example/blob?sig=1" } };
      },
      tokenOk,
    );
    expect(await c.getBlob("a/b", sha256Digest(blob))).toEqual(blob);
    const toStorage = transport.requests.filter((r) => r.url.host === "storage.example");
    expect(toStorage).toHaveLength(1);
    expect(toStorage[0]!.headers?.["Authorization"]).toBeUndefined();
  });
});

describe("no secret in credential file and helper errors", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-leak-"));
    await mkdir(path.join(dir, "bin"));
    const helper = `#!/bin/sh\ncase "$(cat)" in\n  nojson.example) echo 'Secret: ${PASSWORD}' ;;\n  *) echo '{"Secret":"${PASSWORD}"'; echo "${PASSWORD}" >&2; exit 2 ;;\nesac\n`;
    await writeFile(path.join(dir, "bin", "docker-credential-leaky"), helper);
    await chmod(path.join(dir, "bin", "docker-credential-leaky"), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    {
      why: "config that is not JSON",
      config: `{"auths": {"a.example": {"auth": "${BASIC}"}}, ${PASSWORD}`,
      host: "a.example",
    },
    {
      why: "auth that is not user:password",
      config: JSON.stringify({ auths: { "a.example": { auth: Buffer.from(PASSWORD).toString("base64") } } }),
      host: "a.example",
    },
    {
      why: "helper printing no JSON",
      config: JSON.stringify({ credsStore: "leaky" }),
      host: "nojson.example",
    },
    {
      why: "helper failing with the secret in its output",
      config: JSON.stringify({ credsStore: "leaky" }),
      host: "fail.example",
    },
  ])("$why", async ({ config, host }) => {
    const home = await mkdtemp(path.join(dir, "home-"));
    await mkdir(path.join(home, ".docker"));
    await writeFile(path.join(home, ".docker", "config.json"), config);
    const env = { PATH: `${path.join(dir, "bin")}:${process.env["PATH"]}` };
    const error = await createDefaultCredentialSource({ env, homeDir: home })
      .get(host)
      .catch((e: unknown) => e);
    expectClean(error);
    // The password base64-encoded alone is also a secret here.
    expect(inspect(error)).not.toContain(Buffer.from(PASSWORD).toString("base64"));
  });
});
