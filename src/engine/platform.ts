/** Which platform a Docker engine runs, in the OCI spelling dray's images use, and which build runs there. */

import type { Platform } from "../oci/index.js";
import { normalizePlatform, platformName, samePlatform } from "../oci/index.js";
import type { EngineClient } from "./client.js";

/**
 * The engine reports the kernel's machine name (`uname -m`); 32-bit ARM names carry the variant
 * ("armv7l"). A bare "arm" has none, which means v7.
 */
const MACHINES: Record<string, Omit<Platform, "os">> = {
  x86_64: { architecture: "amd64" },
  amd64: { architecture: "amd64" },
  aarch64: { architecture: "arm64" },
  arm64: { architecture: "arm64" },
  armv7l: { architecture: "arm", variant: "v7" },
  armv6l: { architecture: "arm", variant: "v6" },
  arm: { architecture: "arm" },
  s390x: { architecture: "s390x" },
  ppc64le: { architecture: "ppc64le" },
  riscv64: { architecture: "riscv64" },
};

/** What /info says of the engine's platform. */
type PlatformInfo = { OSType?: string; Architecture?: string };

/** The platform of an engine that reports OSType linux and Architecture armv7l: linux, arm, v7. */
export function enginePlatformOf(info: PlatformInfo): Platform {
  const machine = MACHINES[info.Architecture ?? ""] ?? { architecture: info.Architecture ?? "amd64" };
  return { os: info.OSType ?? "linux", ...machine };
}

/**
 * "linux/amd64" for an engine that reports OSType linux and Architecture x86_64; spelled as
 * dray.yaml spells platforms ("linux/arm/v7" for a bare arm), so messages can name it as one.
 */
export function enginePlatform(info: PlatformInfo): string {
  return platformName(normalizePlatform(enginePlatformOf(info)));
}

/**
 * The build among `builds` that runs on an engine of platform `engine` ("linux/arm/v7"): same os
 * and architecture, and the same variant as containerd reads them (arm64 is arm64/v8, an engine's
 * bare arm is arm/v7). Undefined when none does.
 */
export function buildForEngine<T>(
  engine: string,
  builds: readonly T[],
  platformOf: (build: T) => Platform | string,
): T | undefined {
  return builds.find((build) => samePlatform(engine, platformOf(build)));
}

/** What the engine says of itself that deploys need. */
export interface EngineInfo {
  /** "linux/amd64", "linux/arm/v7". */
  platform: string;
  /** "active" when the engine is a swarm node. */
  swarm: string;
  /** True when this node manages the swarm. */
  manager: boolean;
  /**
   * The engine's clock minus this machine's, in ms (0 when the engine does not say): times that
   * several machines compare, such as a deploy lock's renewals, are kept on the engine's clock.
   */
  clockOffsetMs: number;
}

/** The engine's platform and swarm role, from GET /info. */
export async function readEngineInfo(engine: EngineClient): Promise<EngineInfo> {
  const asked = Date.now();
  const info = await engine.json<
    PlatformInfo & { SystemTime?: string; Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }
  >({ method: "GET", path: "/info" });
  // The engine read its clock somewhere between the request and the answer: take the middle.
  const engineTime = Date.parse(info.SystemTime ?? "");
  const clockOffsetMs = Number.isNaN(engineTime) ? 0 : Math.round(engineTime - (asked + Date.now()) / 2);
  return {
    platform: enginePlatform(info),
    swarm: info.Swarm?.LocalNodeState ?? "inactive",
    manager: info.Swarm?.ControlAvailable ?? false,
    clockOffsetMs,
  };
}
