/** Removing what a deploy test left on an engine: the project's labelled containers, its deploy lock and its network. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** `cli` is the engine's command line: "docker", or "podman" for its own store. */
export async function removeProject(project: string, cli: "docker" | "podman" = "docker"): Promise<void> {
  const { stdout } = await run(cli, ["ps", "-aq", "--filter", `label=dray.project=${project}`]);
  const ids = stdout.split("\n").filter(Boolean);
  if (ids.length > 0) await run(cli, ["rm", "-f", ...ids]);
  // Left only by a deploy killed while it held the lock.
  await run(cli, ["rm", "-f", `dray-lock-${project}`]).catch(() => undefined);
  await run(cli, ["network", "rm", project]).catch(() => undefined);
}

/** Removes the images dray loaded for `project` (tagged `<project>/<service>:…`), so test runs do not pile them up. */
export async function removeProjectImages(project: string): Promise<void> {
  const { stdout } = await run("docker", ["images", "-q", "--filter", `reference=${project}/*`]);
  const ids = [...new Set(stdout.split("\n").filter(Boolean))];
  if (ids.length > 0) await run("docker", ["rmi", "-f", ...ids]).catch(() => undefined);
}
