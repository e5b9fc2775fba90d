/**
 * SBOMs, provenance and signatures against the real tools: dray pushes the supply-chain fixture to a
 * real registry (distribution 2.8, no referrers API), then the real cosign verifies the signatures
 * and the SLSA and SPDX attestations offline, oras and crane list the referrers, the SBOMs validate
 * against the schemas, two builds on other paths and clocks give the same SBOM and provenance
 * bytes, no key or passphrase shows anywhere, and a target's `require.signed` stops a deploy.
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFile, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drayBin, repoRoot, runDray } from "../support/dray.js";
import { removeProject } from "../support/engine-project.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { cycloneDxProblems, spdxProblems } from "../support/sbom-validate.js";

const run = promisify(execFile);
const fixture = path.join(repoRoot, "test", "fixtures", "supply-chain");
const PASSPHRASE = "sc-test passphrase 7f3a";
const UUID_SUM = "h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=";

let registry: TestRegistry;
let temp: string;
let keys: string;
let root: string;

/** A copy of the fixture at `dir`, committed to a fresh git repository with fixed dates (the same commit anywhere). */
async function project(dir: string, extra: string): Promise<string> {
  await cp(fixture, dir, { recursive: true });
  await appendFile(path.join(dir, "dray.yaml"), extra);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.test",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.test",
    GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
    GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  };
  await run("git", ["init", "-q", "-b", "main"], { cwd: dir, env });
  await run("git", ["add", "-A"], { cwd: dir, env });
  await run("git", ["commit", "-q", "-m", "fixture"], { cwd: dir, env });
  return dir;
}

const signEnv = { DRAY_SIGN_PASSWORD: PASSPHRASE };
const cosignFlags = ["--insecure-ignore-tlog=true", "--allow-insecure-registry"];

async function digestOf(service: string): Promise<string> {
  const { stdout } = await run("crane", ["digest", "--insecure", `${registry.url}/sc/${service}:latest`]);
  return stdout.trim();
}

async function cosign(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("cosign", args, { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  registry = await startRegistry();
  temp = await mkdtemp(path.join(os.tmpdir(), "dray-supply-chain-"));
  keys = path.join(temp, "keys");
  await run("mkdir", ["-p", keys]);
  await run("cosign", ["generate-key-pair"], {
    cwd: keys,
    env: { ...process.env, COSIGN_PASSWORD: PASSPHRASE },
  });
  await run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", path.join(keys, "other.key")]);
  await run("openssl", [
    "pkey",
    "-in",
    path.join(keys, "other.key"),
    "-pubout",
    "-out",
    path.join(keys, "other.pub"),
  ]);
  root = await project(path.join(temp, "a", "sc"), `registry: ${registry.url}/sc\n`);
});

afterAll(async () => {
  await registry?.stop();
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe("dray push with a cosign key", () => {
  let pushed: { stdout: string; stderr: string };
  const trace = () => path.join(temp, "push-trace.json");

  beforeAll(async () => {
    const result = await runDray(
      ["push", "--sign-key", path.join(keys, "cosign.key"), "--json", "--trace", trace()],
      { cwd: root, env: signEnv },
    );
    expect(result.code, result.stderr).toBe(0);
    pushed = result;
  });

  it("is verified by the real cosign: the signature and the SLSA v1 and SPDX attestations", async () => {
    for (const service of ["tickets", "site"]) {
      const ref = `${registry.url}/sc/${service}@${await digestOf(service)}`;
      const pub = ["--key", path.join(keys, "cosign.pub"), ...cosignFlags, ref];
      const verify = await cosign(["verify", ...pub]);
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stdout).toContain("https://sigstore.dev/cosign/sign/v1");
      const slsa = await cosign(["verify-attestation", "--type", "slsaprovenance1", ...pub]);
      expect(slsa.code, slsa.stderr).toBe(0);
      const statement = JSON.parse(
        Buffer.from(JSON.parse(slsa.stdout.trim().split("\n")[0]!).payload, "base64").toString("utf8"),
      );
      const { stdout: head } = await run("git", ["rev-parse", "HEAD"], { cwd: root });
      expect(statement.predicate.buildDefinition.externalParameters.source).toMatchObject({
        commit: head.trim(),
        dirty: false,
      });
      const spdx = await cosign(["verify-attestation", "--type", "spdxjson", ...pub]);
      expect(spdx.code, spdx.stderr).toBe(0);
      // Another key verifies nothing.
      const other = await cosign(["verify", "--key", path.join(keys, "other.pub"), ...cosignFlags, ref]);
      expect(other.code).not.toBe(0);
    }
  });

  // The tags name the distribution form the push reported (layers gzipped), not the build's own
  // manifests (uncompressed layers): the images themselves — their image IDs — are the build's.
  it("leaves the images as they are: the tags name the digests pushed, of the image IDs the build made", async () => {
    const built = await runDray(["build", "--json"], { cwd: root });
    expect(built.code, built.stderr).toBe(0);
    const reported = JSON.parse(pushed.stdout).push as { service: string; reference: string }[];
    type Built = { name: string; digest: string; platforms: { platform: string; imageId: string }[] };
    for (const service of JSON.parse(built.stdout).services as Built[]) {
      const digest = await digestOf(service.name);
      expect(reported.find((r) => r.service === service.name)!.reference).toMatch(new RegExp(`@${digest}$`));
      const { stdout } = await run("crane", [
        "config",
        "--insecure",
        `${registry.url}/sc/${service.name}@${digest}`,
        "--platform",
        service.platforms[0]!.platform,
      ]);
      expect(`sha256:${createHash("sha256").update(stdout).digest("hex")}`).toBe(
        service.platforms[0]!.imageId,
      );
    }
  });

  it("lists SBOM, provenance and signatures as referrers, for oras and crane", async () => {
    const digest = await digestOf("tickets");
    const { stdout } = await run("oras", [
      "discover",
      "--plain-http",
      "--format",
      "json",
      `${registry.url}/sc/tickets@${digest}`,
    ]);
    const types = (JSON.parse(stdout).referrers as { artifactType: string }[]).map((r) => r.artifactType);
    expect(types.filter((t) => t === "application/spdx+json")).toHaveLength(1);
    expect(types.filter((t) => t === "application/vnd.in-toto+json")).toHaveLength(1);
    expect(types.filter((t) => t === "application/vnd.dev.sigstore.bundle.v0.3+json")).toHaveLength(3);
    const { stdout: tags } = await run("crane", ["ls", "--insecure", `${registry.url}/sc/tickets`]);
    expect(tags.split("\n")).toContain(`sha256-${digest.slice(7)}`);
  });

  it("pushes the SBOM that dray sbom prints, byte for byte, and it lists the vendored module", async () => {
    const result = await runDray(["sbom", "tickets"], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(spdxProblems(document)).toEqual([]);
    const uuid = document.packages.find((p: { name: string }) => p.name === "github.com/google/uuid");
    expect(uuid).toMatchObject({
      versionInfo: "v1.3.0",
      checksums: [
        { algorithm: "SHA256", checksumValue: Buffer.from(UUID_SUM.slice(3), "base64").toString("hex") },
      ],
    });
    expect(document.files.map((f: { fileName: string }) => f.fileName)).toEqual([
      "./app/tickets",
      "./srv/static/about.txt",
    ]);
    const { stdout } = await run("oras", [
      "discover",
      "--plain-http",
      "--format",
      "json",
      "--artifact-type",
      "application/spdx+json",
      `${registry.url}/sc/tickets@${await digestOf("tickets")}`,
    ]);
    const [sbom] = JSON.parse(stdout).referrers as { digest: string }[];
    const { stdout: manifest } = await run("crane", [
      "manifest",
      "--insecure",
      `${registry.url}/sc/tickets@${sbom!.digest}`,
    ]);
    const layer = JSON.parse(manifest).layers[0].digest;
    const { stdout: blob } = await run("crane", [
      "blob",
      "--insecure",
      `${registry.url}/sc/tickets@${layer}`,
    ]);
    expect(blob).toBe(result.stdout);
  });

  it("sends no referrer again on a second push", async () => {
    const again = await runDray(["push", "--sign-key", path.join(keys, "cosign.key"), "--json"], {
      cwd: root,
      env: signEnv,
    });
    expect(again.code, again.stderr).toBe(0);
    const reports = JSON.parse(again.stdout).push as {
      attestations: { put: number; existing: number; bytesSent: number };
    }[];
    expect(reports.map((r) => r.attestations.put)).toEqual([0, 0]);
    expect(reports.every((r) => r.attestations.existing === 5)).toBe(true);
    expect(reports.map((r) => r.attestations.bytesSent)).toEqual([0, 0]);
  });

  it("dray verify-signature verifies without cosign, and refuses another key", async () => {
    const ref = `${registry.url}/sc/tickets:latest`;
    const ok = await runDray(["verify-signature", ref, "--key", path.join(keys, "cosign.pub")], {
      cwd: root,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /signed by the key .*attestations: https:\/\/slsa\.dev\/provenance\/v1, https:\/\/spdx\.dev\/Document/,
    );
    const other = await runDray(["verify-signature", ref, "--key", path.join(keys, "other.pub")], {
      cwd: root,
    });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/no signature that verifies/);
  });

  it("never shows the key or its passphrase: not in output, trace, layout or registry", async () => {
    const keyText = await readFile(path.join(keys, "cosign.key"), "utf8");
    const secrets = [
      PASSPHRASE,
      ...keyText
        .split("\n")
        .filter((line) => line && !line.startsWith("-----"))
        .map((line) => line.slice(0, 40)),
    ];
    const wrong = await runDray(["push", "--sign-key", path.join(keys, "cosign.key")], {
      cwd: root,
      env: { DRAY_SIGN_PASSWORD: `${PASSPHRASE}-wrong` },
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/DRAY_SIGN_PASSWORD/);
    const texts = [
      pushed.stdout,
      pushed.stderr,
      wrong.stdout,
      wrong.stderr,
      await readFile(trace(), "utf8"),
      ...(await filesUnder(path.join(root, ".dray"))),
      ...(await filesUnder(path.join(registry.root, "data"))),
    ];
    for (const text of texts) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    expect(wrong.stderr).not.toContain(`${PASSPHRASE}-wrong`);
  });
  it("signs with an Ed25519 key too, and cosign verifies that signature with its public key", async () => {
    const result = await runDray(["push", "site", "--sign-key", path.join(keys, "other.key")], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const ref = `${registry.url}/sc/site@${await digestOf("site")}`;
    for (const key of ["other.pub", "cosign.pub"]) {
      const verify = await cosign(["verify", "--key", path.join(keys, key), ...cosignFlags, ref]);
      expect(verify.code, verify.stderr).toBe(0);
    }
  });
});

describe("SBOM and provenance bytes", () => {
  it("are the same for a build at another path, under another clock and time zone", async () => {
    const other = await project(path.join(temp, "b", "deeper", "copy"), `registry: ${registry.url}/sc\n`);
    const shifted = (args: string[], cwd: string) =>
      run("faketime", ["-f", "+400d", process.execPath, drayBin, ...args], {
        cwd,
        env: { ...process.env, CI: "true", TZ: "Pacific/Chatham" },
        maxBuffer: 64 * 1024 * 1024,
      });
    for (const service of ["tickets", "site"]) {
      for (const command of ["sbom", "provenance"]) {
        const here = await runDray([command, service], { cwd: root });
        expect(here.code, here.stderr).toBe(0);
        const there = await shifted([command, service], other);
        expect(there.stdout.length).toBeGreaterThan(100);
        expect(there.stdout, `${command} ${service}`).toBe(here.stdout);
      }
    }
    const statement = JSON.parse((await runDray(["provenance", "tickets"], { cwd: other })).stdout);
    expect(statement.predicate.buildDefinition.externalParameters.source.dirty).toBe(false);
  });

  it("record a dirty tree as dirty", async () => {
    await appendFile(path.join(root, "services", "tickets", "static", "about.txt"), "edited\n");
    try {
      const result = await runDray(["provenance", "tickets"], { cwd: root });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).predicate.buildDefinition.externalParameters.source.dirty).toBe(true);
    } finally {
      await run("git", ["checkout", "--", "."], { cwd: root });
    }
  });

  it("come as CycloneDX 1.6 with sbom: cyclonedx, valid against the official schema", async () => {
    const dir = await project(path.join(temp, "c", "sc"), "sbom: cyclonedx\n");
    for (const service of ["tickets", "site"]) {
      const result = await runDray(["sbom", service], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      const bom = JSON.parse(result.stdout);
      expect(cycloneDxProblems(bom)).toEqual([]);
      if (service === "tickets") {
        expect(bom.components.map((c: { purl?: string }) => c.purl)).toContain(
          "pkg:golang/github.com/google/uuid@v1.3.0",
        );
      } else {
        expect(bom.components.map((c: { name: string }) => c.name)).toEqual(
          expect.arrayContaining(["site/src/index.html", "/app/index.html"]),
        );
      }
    }
  });
});

describe("a deploy target that requires signed images", () => {
  const name = `sc${process.pid}`;

  afterAll(async () => {
    await removeProject(name).catch(() => undefined);
  });

  it("refuses an unsigned image, naming the service, and changes nothing; deploys it once signed", async () => {
    await run("bash", [path.join(repoRoot, "scripts", "start-engine.sh")]);
    const dir = path.join(temp, "d", "sc");
    await project(dir, "");
    const yaml = path.join(dir, "dray.yaml");
    const text = (await readFile(yaml, "utf8")).replace("project: sc", `project: ${name}`);
    await writeFile(
      yaml,
      `${text}registry: ${registry.url}/${name}\nsbom: false\ntargets:\n  local:\n    type: docker\n    require: { signed: ../../keys/cosign.pub }\n`,
    );

    const refused = await runDray(["deploy", "tickets"], { cwd: dir, timeoutMs: 300_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /target local requires images signed by .*cosign\.pub; no valid signature for tickets/,
    );
    const { stdout: running } = await run("docker", ["ps", "-aq", "--filter", `label=dray.project=${name}`]);
    expect(running.trim()).toBe("");

    const signed = await runDray(["push", "tickets", "--sign-key", path.join(keys, "cosign.key")], {
      cwd: dir,
      env: signEnv,
    });
    expect(signed.code, signed.stderr).toBe(0);
    const deployed = await runDray(["deploy", "tickets"], { cwd: dir, timeoutMs: 300_000 });
    expect(deployed.code, deployed.stderr).toBe(0);
    const { stdout: after } = await run("docker", ["ps", "-q", "--filter", `label=dray.project=${name}`]);
    expect(after.trim()).not.toBe("");
  });
});

/** The text of every file under `dir` (missing: none). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await stat(file)).size > 32 * 1024 * 1024) continue;
    out.push((await readFile(file)).toString("latin1"));
  }
  return out;
}
