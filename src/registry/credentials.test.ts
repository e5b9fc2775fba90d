import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { authFilePaths, createDefaultCredentialSource, keyHost, keyMatches } from "./credentials.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("config keys", () => {
  it.each([
    ["127.0.0.1:5000", "127.0.0.1:5000"],
    ["https://ghcr.io", "ghcr.io"],
    ["http://reg.local:5000", "reg.local:5000"],
    ["reg.example/v1/", "reg.example"],
    ["https://index.docker.io/v1/", "index.docker.io"],
    ["REG.Example", "reg.example"],
    ["quay.io/some-org", undefined],
  ])("%s names %s", (key, host) => {
    expect(keyHost(key)).toBe(host);
  });

  it("matches Docker Hub's old index key for docker.io, and nothing else across hosts", () => {
    expect(keyMatches("https://index.docker.io/v1/", "docker.io")).toBe(true);
    expect(keyMatches("ghcr.io", "ghcr.io:443")).toBe(false);
    expect(keyMatches("reg.example", "other.example")).toBe(false);
  });

  it("orders the files: REGISTRY_AUTH_FILE, Docker, Podman runtime, Podman config", () => {
    const env = { REGISTRY_AUTH_FILE: "/x/auth.json", DOCKER_CONFIG: "/d", XDG_RUNTIME_DIR: "/run/user/1" };
    expect(authFilePaths(env, "/home/u")).toEqual([
      "/x/auth.json",
      "/d/config.json",
      "/run/user/1/containers/auth.json",
      "/home/u/.config/containers/auth.json",
    ]);
    expect(authFilePaths({}, "/home/u")).toEqual([
      "/home/u/.docker/config.json",
      "/home/u/.config/containers/auth.json",
    ]);
  });
});

describe("credential lookup from files and helpers", () => {
  let dir: string;
  let bin: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-creds-"));
    bin = path.join(dir, "bin");
    await mkdir(bin);
    // A fake credential helper: answers for two servers, says "not found" otherwise, like the real ones.
    const helper = [
      "#!/bin/sh",
      'read server; echo "$server" >> "$(dirname "$0")/asked"',
      'case "$server" in',
      '  helper.example) echo \'{"ServerURL":"helper.example","Username":"hu","Secret":"hs"}\' ;;',
      '  token.example) echo \'{"ServerURL":"token.example","Username":"<token>","Secret":"idt"}\' ;;',
      "  broken.example) echo 'oops' >&2; exit 3 ;;",
      "  *) echo 'credentials not found in native keychain'; exit 1 ;;",
      "esac",
    ].join("\n");
    await writeFile(path.join(bin, "docker-credential-test"), `${helper}\n`);
    await chmod(path.join(bin, "docker-credential-test"), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function source(files: Record<string, unknown>, env: Record<string, string> = {}) {
    const home = await mkdtemp(path.join(dir, "home-"));
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(home, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
    }
    const fullEnv = { PATH: `${bin}:${process.env["PATH"]}`, ...env };
    return { home, creds: createDefaultCredentialSource({ env: fullEnv, homeDir: home }) };
  }

  it("reads auths[host].auth in all the key forms Docker writes", async () => {
    const { creds } = await source({
      ".docker/config.json": {
        auths: {
          "127.0.0.1:5000": { auth: b64("a:pa:ss") },
          "https://ghcr.io": { auth: b64("g:gp") },
          "http://plain.example": { auth: b64("p:pp") },
          "legacy.example/v1/": { username: "l", password: "lp" },
          "idt.example": { auth: "", identitytoken: "refresh" },
        },
      },
    });
    expect(await creds.get("127.0.0.1:5000")).toEqual({ username: "a", password: "pa:ss" });
    expect(await creds.get("ghcr.io")).toEqual({ username: "g", password: "gp" });
    expect(await creds.get("plain.example")).toEqual({ username: "p", password: "pp" });
    expect(await creds.get("legacy.example")).toEqual({ username: "l", password: "lp" });
    expect(await creds.get("idt.example")).toEqual({ identityToken: "refresh" });
    expect(await creds.get("unknown.example")).toBeUndefined();
  });

  it("asks credHelpers[host] and credsStore through the helper program", async () => {
    const { creds } = await source({
      ".docker/config.json": {
        credsStore: "test",
        credHelpers: { "helper.example": "test" },
        auths: { "fallback.example": { auth: b64("f:fp") } },
      },
    });
    expect(await creds.get("helper.example")).toEqual({ username: "hu", password: "hs" });
    expect(await creds.get("token.example")).toEqual({ identityToken: "idt" });
    // The store has nothing for it: the file's own entry is used.
    expect(await creds.get("fallback.example")).toEqual({ username: "f", password: "fp" });
    expect(await creds.get("none.example")).toBeUndefined();
    await expect(creds.get("broken.example")).rejects.toThrow(
      /docker-credential-test failed for broken.example \(exit code 3\)/,
    );
  });

  it("names a helper that is not installed", async () => {
    const { creds } = await source({ ".docker/config.json": { credHelpers: { "x.example": "absent" } } });
    const error = await creds.get("x.example").catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/docker-credential-absent is not installed/);
  });

  it("honours DOCKER_CONFIG and Podman's files, REGISTRY_AUTH_FILE first", async () => {
    const { home } = await source({
      "custom/config.json": { auths: { "d.example": { auth: b64("docker:1") } } },
      "run/containers/auth.json": {
        auths: { "r.example": { auth: b64("runtime:2") }, "d.example": { auth: b64("no:0") } },
      },
      ".config/containers/auth.json": { auths: { "c.example": { auth: b64("config:3") } } },
      "explicit.json": { auths: { "d.example": { auth: b64("explicit:4") } } },
    });
    const env = { DOCKER_CONFIG: path.join(home, "custom"), XDG_RUNTIME_DIR: path.join(home, "run") };
    const plain = createDefaultCredentialSource({ env, homeDir: home });
    expect(await plain.get("d.example")).toEqual({ username: "docker", password: "1" });
    expect(await plain.get("r.example")).toEqual({ username: "runtime", password: "2" });
    expect(await plain.get("c.example")).toEqual({ username: "config", password: "3" });
    const explicit = createDefaultCredentialSource({
      env: { ...env, REGISTRY_AUTH_FILE: path.join(home, "explicit.json") },
      homeDir: home,
    });
    expect(await explicit.get("d.example")).toEqual({ username: "explicit", password: "4" });
  });

  it("reports a broken file as a UserError naming the file", async () => {
    const { creds, home } = await source({ ".docker/config.json": "{ not json" });
    await expect(creds.get("a.example")).rejects.toThrow(
      `credentials file ${home}/.docker/config.json is not valid JSON`,
    );
  });
});
