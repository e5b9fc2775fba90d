/**
 * A one-node swarm for the tests that need one: joined on 127.0.0.1 unless the engine is already a
 * manager, and left afterwards only if a test joined it (with the bridge swarm creates on joining).
 */
import type { EngineClient } from "../../src/engine/client.js";

/** What `joinSwarm` did, so that `leaveSwarm` undoes exactly that. */
export interface SwarmJoin {
  startedHere: boolean;
  /** Swarm creates this bridge on joining and leaves it behind on leaving. */
  gatewayMadeHere: boolean;
}

/** Makes the engine a one-node swarm manager if it is not one already. */
export async function joinSwarm(engine: EngineClient): Promise<SwarmJoin> {
  const info = await engine.json<{ Swarm: { LocalNodeState: string } }>({ method: "GET", path: "/info" });
  if (info.Swarm.LocalNodeState === "active") return { startedHere: false, gatewayMadeHere: false };
  const gateway = await engine.raw({ method: "GET", path: "/networks/docker_gwbridge" });
  await engine.json({
    method: "POST",
    path: "/swarm/init",
    body: { ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" },
  });
  return { startedHere: true, gatewayMadeHere: gateway.status === 404 };
}

/** Leaves the swarm and removes its bridge, if `joined` says this test run made them. */
export async function leaveSwarm(engine: EngineClient, joined: SwarmJoin | undefined): Promise<void> {
  if (joined?.startedHere) await engine.raw({ method: "POST", path: "/swarm/leave", query: { force: true } });
  if (joined?.gatewayMadeHere) await engine.raw({ method: "DELETE", path: "/networks/docker_gwbridge" });
}
