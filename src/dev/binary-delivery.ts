/**
 * How a live update's binary reaches its container. On a local engine — reached through a unix
 * socket on this machine, and seeing this machine's files — the compiler writes it straight into
 * `.dray/dev/live/<service>/`, which the service's container has bound read-only at /.dray/live,
 * and the supervisor runs it from there: nothing is copied or read back. Anywhere else
 * (DOCKER_HOST=tcp://…, an engine in a VM or another machine, DRAY_DEV_COPY=archive) the binary
 * is copied in through the engine's archive API, as are synced files on every engine.
 *
 * A unix socket does not prove the engine shares the file system, so every new container is
 * asked: a marker file written on the host must show up under its mount; if not, that service's
 * binary is copied instead.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ResolvedService } from "../config/index.js";
import type { CommandWrapper, DesiredService } from "../deploy/index.js";
import type { EngineAddress, EngineClient } from "../engine/index.js";
import { statPath } from "../engine/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import type { RunningService } from "./running.js";
import { LIVE_BINARY_ENV, LIVE_MOUNT } from "./supervisor/protocol.js";

/** The variable that picks the way: `archive` forces the copy; `auto` (or unset) mounts where it can. */
export const DELIVERY_ENV = "DRAY_DEV_COPY";

/** Files dray leaves in a live directory only while it works: compiler output and mount markers. */
const TEMP = ".tmp-";
const MARKER = ".probe-";

export type Delivery =
  | { readonly kind: "mount"; readonly root: string }
  | { readonly kind: "archive"; readonly reason: string };

/** The way for this engine and environment; `devDir` is `.dray/dev`. Pure. */
export function chooseDelivery(address: EngineAddress, env: NodeJS.ProcessEnv, devDir: string): Delivery {
  const asked = env[DELIVERY_ENV];
  if (asked === "archive") return { kind: "archive", reason: `${DELIVERY_ENV}=archive` };
  if (asked !== undefined && asked !== "" && asked !== "auto")
    throw new UserError(`${DELIVERY_ENV}=${JSON.stringify(asked)} is not a way to deliver binaries`, {
      exitCode: ExitCode.usage,
      hint: `Set ${DELIVERY_ENV}=archive to copy binaries through the engine's archive API, or leave it unset.`,
    });
  if (address.kind !== "unix")
    return { kind: "archive", reason: `the engine is reached over TCP (${address.text})` };
  return { kind: "mount", root: path.join(devDir, "live") };
}

/** The host directory bound into `service`'s containers. */
export const liveDir = (root: string, service: string) => path.join(root, service);

/**
 * The live binary's name: one per image, so a container of a newly built image starts with that
 * image's own binary, while a container replaced on the same image (new settings) keeps the latest.
 */
export const liveName = (imageId: string) => `bin-${imageId.replace(/^sha256:/, "").slice(0, 16)}`;

/** The line that says which way binaries travel this session. */
export function describeDelivery(delivery: Delivery): string {
  return delivery.kind === "mount"
    ? `live updates: binaries are compiled into ${delivery.root}, mounted read-only into each container (local engine)`
    : `live updates: binaries are copied through the engine's archive API (${delivery.reason})`;
}

/**
 * The supervisor set up to bind each Go service's live directory and run its binary from there.
 * Only where the service's command starts with its own binary (the supervisor swaps argv[0]).
 */
export function mountingWrapper(
  wrapper: CommandWrapper,
  root: string,
  serviceNamed: (name: string) => ResolvedService | undefined,
): CommandWrapper {
  return {
    ...wrapper,
    // The mount is part of how containers are made: an archive session's containers are replaced.
    digest: createHash("sha256").update(`${wrapper.digest}\nlive mount ${root}`).digest("hex"),
    forService(desired: DesiredService) {
      const service = serviceNamed(desired.name);
      if (service?.kind !== "go" || desired.spec.image.entrypoint?.[0] !== service.binaryPath)
        return undefined;
      return {
        binds: [`${liveDir(root, service.name)}:${LIVE_MOUNT}:ro`],
        env: { [LIVE_BINARY_ENV]: `${LIVE_MOUNT}/${liveName(desired.imageId)}` },
      };
    },
  };
}

/** Makes each service's live directory (the engine would make a missing one as root) and drops leftovers. */
export async function prepareLiveDirs(root: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const dir = liveDir(root, name);
    await mkdir(dir, { recursive: true });
    for (const entry of await readdir(dir))
      if (entry.startsWith(TEMP) || entry.startsWith(MARKER))
        await rm(path.join(dir, entry), { force: true });
  }
}

/** Whether `container` sees a file just written into `dir` under its mount. */
export async function containerSeesDir(
  engine: EngineClient,
  container: string,
  dir: string,
): Promise<boolean> {
  const name = `${MARKER}${randomBytes(8).toString("hex")}`;
  const marker = randomBytes(16).toString("hex");
  await writeFile(path.join(dir, name), marker);
  try {
    const stat = await statPath(engine, container, `${LIVE_MOUNT}/${name}`);
    return stat?.size === marker.length;
  } finally {
    await rm(path.join(dir, name), { force: true });
  }
}

/**
 * Sets `r.liveFile` when its container runs its binary from the mount, probing each new container
 * once; drops binaries of other images from the service's directory. Returns a notice when a
 * container does not see the mount.
 */
export async function attachLiveFile(
  delivery: Delivery,
  engine: EngineClient,
  r: RunningService,
): Promise<string | undefined> {
  if (delivery.kind !== "mount" || !r.container || !r.wrapped || !r.imageId || r.service.kind !== "go") {
    r.liveFile = undefined;
    return undefined;
  }
  if (r.liveFor === r.container) return undefined;
  const dir = liveDir(delivery.root, r.service.name);
  r.liveFor = r.container;
  const seen = await containerSeesDir(engine, r.container, dir).catch(() => false);
  r.liveFile = seen ? path.join(dir, liveName(r.imageId)) : undefined;
  if (!seen)
    return `${r.service.name}: its container does not see ${dir} (the engine does not share this machine's files); its binary is copied through the engine's archive API`;
  const keep = path.basename(r.liveFile!);
  for (const entry of await readdir(dir))
    if (entry !== keep && !entry.startsWith(TEMP)) await rm(path.join(dir, entry), { force: true });
  return undefined;
}

/** At the end of a session: everything when the containers go too, else only leftovers (running containers keep their binary). */
export async function cleanLiveDirs(root: string, names: readonly string[], down: boolean): Promise<void> {
  if (down) await rm(root, { recursive: true, force: true });
  else await prepareLiveDirs(root, names).catch(() => undefined);
}
