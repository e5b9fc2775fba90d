/** The Docker engine's container events between two moments, as integration tests read them. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One container event: the container's ID and name, what happened, and when (ns since the epoch). */
export interface ContainerEvent {
  id: string;
  name: string;
  action: string;
  ns: bigint;
}

/**
 * Container events from `sinceMs` to `untilMs` (ms since the epoch), oldest first. The engine's
 * query takes whole seconds, so it is asked for a wider window and cut to the exact one here: the
 * second before `sinceMs` can hold the previous test's last events.
 */
export async function containerEvents(sinceMs: number, untilMs: number): Promise<ContainerEvent[]> {
  const { stdout } = await run("docker", [
    "events",
    "--since",
    String(Math.floor(sinceMs / 1000) - 1),
    "--until",
    String(Math.ceil(untilMs / 1000) + 1),
    "--filter",
    "type=container",
    "--format",
    "{{json .}}",
  ]);
  const from = BigInt(sinceMs) * 1_000_000n;
  const to = BigInt(untilMs) * 1_000_000n;
  return stdout
    .split("\n")
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          id: string;
          Action: string;
          timeNano: number | string;
          Actor: { Attributes: Record<string, string> };
        },
    )
    .map((e) => ({ id: e.id, name: e.Actor.Attributes.name ?? "", action: e.Action, ns: BigInt(e.timeNano) }))
    .filter((e) => e.ns >= from && e.ns <= to)
    .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
}
