/** Which platform a Docker engine runs, in the OCI spelling dray's images use. */
import type { EngineClient } from "./client.js";

const ARCHITECTURES: Record<string, string> = {
  x86_64: "amd64",
  amd64: "amd64",
  aarch64: "arm64",
  arm64: "arm64",
  armv7l: "arm",
  s390x: "s390x",
  ppc64le: "ppc64le",
  riscv64: "riscv64",
};

/** "linux/amd64" for an engine that reports OSType linux and Architecture x86_64. */
export function enginePlatform(info: { OSType?: string; Architecture?: string }): string {
  const arch = ARCHITECTURES[info.Architecture ?? ""] ?? info.Architecture ?? "amd64";
  return `${info.OSType ?? "linux"}/${arch}`;
}

/** What the engine says of itself that deploys need. */
export interface EngineInfo {
  platform: string;
  /** "active" when the engine is a swarm node. */
  swarm: string;
  /** True when this node manages the swarm. */
  manager: boolean;
}

export async function readEngineInfo(engine: EngineClient): Promise<EngineInfo> {
  const info = await engine.json<{
    OSType?: string;
    Architecture?: string;
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
  }>({ method: "GET", path: "/info" });
  return {
    platform: enginePlatform(info),
    swarm: info.Swarm?.LocalNodeState ?? "inactive",
    manager: info.Swarm?.ControlAvailable ?? false,
  };
}
