/**
 * Provenance, `dray status`, `dray history` and `dray rollback` on a real one-node swarm through
 * the `dray` command: the swarm service is labelled with the commit and keeps the previous image
 * and spec in a label; a rollback posts them back through the deploy's update and waits for the
 * tasks, and twice in a row goes back again.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineAddress } from "../../src/engine/address.js";
import { createEngineClient, type EngineClient } from "../../src/engine/client.js";
import { runDray } from "../support/dray.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { joinSwarm, leaveSwarm, type SwarmJoin } from "../support/swarm.js";

const run = promisify(execFile);

const SERVER = `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "web VERSION", os.Getenv("MODE")) })
	if err := http.ListenAndServe(":"+os.Getenv("PORT"), nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`;

interface Inspected {
  Spec: {
    Labels: Record<string, string>;
    TaskTemplate: { ContainerSpec: { Image: string; Env?: string[] } };
  };
}

// Like every engine test, this one fails (never skips) when dockerd or docker-registry is missing.
describe("swarm target: provenance, dray history and dray rollback", () => {
  const project = `dsh${process.pid}`;
  const service = `${project}_web`;
  let engine: EngineClient;
  let registry: TestRegistry;
  let root: string;
  let swarm: SwarmJoin | undefined;
  const commits: string[] = [];
  const images: string[] = [];

  const dray = (...args: string[]) => runDray(args, { cwd: root, timeoutMs: 300_000 });
  const git = async (...args: string[]) =>
    (await run("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: root })).stdout.trim();
  const commit = async (message: string) => {
    await git("add", "-A");
    await git("commit", "-qm", message);
    return git("rev-parse", "HEAD");
  };
  const running = async () => {
    const [s] = JSON.parse((await run("docker", ["service", "inspect", service])).stdout) as Inspected[];
    const spec = s!.Spec;
    return {
      imageId: spec.Labels["dray.image-id"],
      commit: spec.Labels["dray.commit"],
      mode: spec.TaskTemplate.ContainerSpec.Env?.find((e) => e.startsWith("MODE="))?.slice(5),
    };
  };
  const version = async (text: string, mode: string) => {
    await writeFile(path.join(root, "web", "main.go"), SERVER.replace("VERSION", text));
    const yaml = await readFile(path.join(root, "dray.yaml"), "utf8");
    await writeFile(path.join(root, "dray.yaml"), yaml.replace(/MODE: \w+/, `MODE: ${mode}`));
  };

  beforeAll(async () => {
    engine = createEngineClient(engineAddress(undefined, process.env, "test"));
    swarm = await joinSwarm(engine);
    registry = await startRegistry();
    root = await mkdtemp(path.join(os.tmpdir(), "dray-swarm-history-"));
    await writeFile(path.join(root, "go.mod"), "module example.com/x\n\ngo 1.22\n");
    await mkdir(path.join(root, "web"));
    await writeFile(
      path.join(root, "dray.yaml"),
      [
        `project: ${project}`,
        "platforms: [linux/amd64]",
        `registry: ${registry.url}/t`,
        "targets:",
        "  swarm: { type: swarm, publish: host, update: { monitor: 1s } }",
        "services:",
        "  web:",
        "    go: ./web",
        "    ports: [8080]",
        '    env: { PORT: "8080" }',
        "    deploy: { env: { MODE: plain } }",
        "",
      ].join("\n"),
    );
    await version("v1", "plain");
    await writeFile(path.join(root, ".gitignore"), ".dray/\n");
    await git("init", "-q");
    commits.push(await commit("first"));
    const deployed = await dray("deploy");
    expect(deployed.code, deployed.stderr).toBe(0);
    images.push((await running()).imageId!);
  }, 300_000);

  afterAll(async () => {
    if (engine) {
      await engine.raw({ method: "DELETE", path: `/services/${service}` });
      for (let i = 0; i < 40; i++) {
        const res = await engine.raw({ method: "DELETE", path: `/networks/${project}` });
        if (res.status === 204 || res.status === 404) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await leaveSwarm(engine, swarm);
      engine.close();
    }
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  }, 120_000);

  it("the service carries the commit; status shows it, since when, and that the checkout is what runs", async () => {
    expect(await running()).toEqual({ imageId: images[0], commit: commits[0], mode: "plain" });
    const result = await dray("status", "--json");
    expect(result.code, result.stderr).toBe(0);
    const [s] = (JSON.parse(result.stdout) as { services: Record<string, unknown>[] }).services;
    expect(s).toMatchObject({
      imageId: images[0],
      commit: commits[0],
      dirty: false,
      checkout: { kind: "same" },
    });
    expect(Number.isNaN(Date.parse(String(s!["since"])))).toBe(false);
    const none = await dray("rollback", "web");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("web has no previous version on target swarm");
  }, 300_000);

  it("a second version keeps the first; rollback restores its image and spec, and twice goes back again", async () => {
    await version("v2", "fancy");
    commits.push(await commit("second"));
    const deployed = await dray("deploy");
    expect(deployed.code, deployed.stderr).toBe(0);
    const second = await running();
    images.push(second.imageId!);
    expect(second).toEqual({ imageId: images[1], commit: commits[1], mode: "fancy" });

    const history = await dray("history", "web", "--json");
    expect(history.code, history.stderr).toBe(0);
    expect((JSON.parse(history.stdout) as { versions: unknown[] }).versions).toEqual([
      expect.objectContaining({ role: "current", imageId: images[1], commit: commits[1] }),
      expect.objectContaining({ role: "previous", imageId: images[0], commit: commits[0] }),
    ]);

    const back = await dray("rollback", "web", "--json");
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({
      services: [{ service: "web", status: "done", from: images[1], to: images[0] }],
    });
    expect(await running()).toEqual({ imageId: images[0], commit: commits[0], mode: "plain" });
    const status = await dray("status", "--json");
    expect(JSON.parse(status.stdout)).toMatchObject({
      services: [{ commit: commits[0], previousImageId: images[1], checkout: { kind: "changes" } }],
    });

    const again = await dray("rollback", "web");
    expect(again.code, again.stderr).toBe(0);
    expect(await running()).toEqual({ imageId: images[1], commit: commits[1], mode: "fancy" });
  }, 300_000);
});
