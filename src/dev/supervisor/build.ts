/**
 * Compiling dray-supervise for the engine's platform with the host's Go toolchain, once per
 * toolchain, platform and supervisor version; later runs find it in .dray/dev.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../../errors/errors.js";
import type { GoToolchain } from "../../go/toolchain.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { exec } from "../../io/exec.js";
import { SUPERVISOR_GO, SUPERVISOR_GO_MOD, SUPERVISOR_VERSION } from "./source.js";

export interface Supervisor {
  binary: Buffer;
  /** sha256 hex of the binary: part of a dev container's spec digest. */
  digest: string;
}

/** The supervisor for `platform` ("linux/amd64"), built into `<root>/.dray/dev/supervisor/` when missing. */
export async function buildSupervisor(
  root: string,
  platform: string,
  toolchain: GoToolchain,
  env: NodeJS.ProcessEnv,
): Promise<Supervisor> {
  const [os, arch] = platform.split("/") as [string, string];
  const key = createHash("sha256")
    .update(`${SUPERVISOR_VERSION}\n${toolchain.version}\n${platform}\n${SUPERVISOR_GO}`)
    .digest("hex")
    .slice(0, 16);
  const dir = path.join(root, ".dray", "dev", "supervisor");
  const out = path.join(dir, `dray-supervise-${os}-${arch}-${key}`);
  const cached = await readFile(out).catch(() => undefined);
  if (cached) return { binary: cached, digest: createHash("sha256").update(cached).digest("hex") };

  const src = path.join(dir, `src-${key}`);
  await mkdir(src, { recursive: true });
  await writeFile(path.join(src, "go.mod"), SUPERVISOR_GO_MOD);
  await writeFile(path.join(src, "main.go"), SUPERVISOR_GO);
  const temp = `${out}.tmp-${process.pid}`;
  const result = await exec(
    toolchain.go,
    ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", temp, "."],
    {
      cwd: src,
      env: {
        ...env,
        GOCACHE: toolchain.gocache,
        GOOS: os,
        GOARCH: arch,
        CGO_ENABLED: "0",
        GOTOOLCHAIN: "local",
        GOFLAGS: "-mod=mod",
      },
    },
  );
  if (result.code !== 0)
    throw new UserError(`cannot build dray's dev supervisor for ${platform}`, {
      details: (result.stderr || result.stdout).trim(),
    });
  // go build writes under a name of this process's own, so two dray processes building the same
  // key never write one file; the binary reaches its shared name in one atomic write.
  const binary = await readFile(temp);
  await writeFileAtomic(out, binary);
  await rm(temp, { force: true });
  return { binary, digest: createHash("sha256").update(binary).digest("hex") };
}
