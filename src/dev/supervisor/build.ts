/**
 * Compiling dray-supervise (supervise.go beside this file) for the engine's platform with the
 * host's Go toolchain, once per toolchain, platform and supervisor source; later runs find it in
 * .dray/dev.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../../errors/index.js";
import type { GoToolchain } from "../../go/index.js";
import { exec, writeFileAtomic } from "../../io/index.js";

/** Bump to rebuild every cached supervisor; the source itself is part of the cache key too. */
const SUPERVISOR_VERSION = 2;

const SUPERVISOR_GO_MOD = "module dray.local/supervise\n\ngo 1.21\n";

// Read at run time from beside this module: scripts/copy-assets.mjs puts a copy next to the
// compiled build.js in dist/, as tsc emits only what it compiles.
const SUPERVISOR_GO_URL = new URL("./supervise.go", import.meta.url);

/** A supervisor binary compiled for one platform. */
export interface Supervisor {
  binary: Buffer;
  /** sha256 hex of the binary: part of a dev container's spec digest. */
  digest: string;
}

/** The supervisor for `platform` ("linux/amd64"), built into `<devDir>/supervisor/` (`.dray/dev`) when missing. */
export async function buildSupervisor(
  devDir: string,
  platform: string,
  toolchain: GoToolchain,
  env: NodeJS.ProcessEnv,
): Promise<Supervisor> {
  const [os, arch] = platform.split("/") as [string, string];
  const source = await readFile(SUPERVISOR_GO_URL, "utf8");
  const key = createHash("sha256")
    .update(`${SUPERVISOR_VERSION}\n${toolchain.version}\n${platform}\n${source}`)
    .digest("hex")
    .slice(0, 16);
  const dir = path.join(devDir, "supervisor");
  const out = path.join(dir, `dray-supervise-${os}-${arch}-${key}`);
  const cached = await readFile(out).catch(() => undefined);
  if (cached) return { binary: cached, digest: createHash("sha256").update(cached).digest("hex") };

  const src = path.join(dir, `src-${key}`);
  await mkdir(src, { recursive: true });
  await writeFile(path.join(src, "go.mod"), SUPERVISOR_GO_MOD);
  await writeFile(path.join(src, "main.go"), source);
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
