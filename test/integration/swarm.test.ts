/**
 * The swarm target against Docker's real engine made a one-node swarm, with images dray built and
 * pushed to a real registry on loopback: create, read back, rolling update, a failed update that
 * swarm rolls back, remove.
 *
 * Ports are published in host mode: this machine's kernel has no IPVS, without which swarm's
 * ingress routing mesh accepts no connection. Swarm cannot bind a published port to one address,
 * so the ports listen on every interface; the test only ever connects to 127.0.0.1.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploySettings, SwarmTargetConfig } from "../../src/config/types.js";
import { DeployFailure } from "../../src/deploy/failure.js";
import { specDigest } from "../../src/deploy/spec.js";
import { serviceName } from "../../src/deploy/swarm/service-spec.js";
import { openSwarmTarget } from "../../src/deploy/swarm/target.js";
import type { DeploySpec, DeployTarget, DesiredService, LiveService } from "../../src/deploy/types.js";
import { engineAddress } from "../../src/engine/address.js";
import { createEngineClient, type EngineClient } from "../../src/engine/client.js";
import type { Digest } from "../../src/oci/types.js";
import { recordingContext } from "../support/deploy-fixtures.js";
import { runDray } from "../support/dray.js";
import { freePort, startRegistry, type TestRegistry } from "../support/registry.js";
import { joinSwarm, leaveSwarm, type SwarmJoin } from "../support/swarm.js";

/** A Go server answering "<version>\n" on / and /healthz; `crash` exits before it listens. */
function server(version: string, crash = false): string {
  return `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	${crash ? `fmt.Fprintln(os.Stderr, "${version}: refusing to start")\n\tos.Exit(3)` : ""}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "${version}") })
	if err := http.ListenAndServe(":"+os.Getenv("PORT"), nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`;
}

/** GET http://127.0.0.1:port/ once, bounded. */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://127.0.0.1:${port}/`, { timeout: 3000, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve(body.trim()));
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 3 s")));
    req.on("error", reject);
  });
}

// Like every engine test, this one fails (never skips) when dockerd or docker-registry is missing.
describe("swarm target against a real one-node swarm and a real registry", () => {
  const project = `drayswarm${process.pid}`;
  let engine: EngineClient;
  let registry: TestRegistry;
  let root: string;
  let swarm: SwarmJoin | undefined;
  let target: DeployTarget;
  let port: number;
  const images = new Map<string, { reference: string; imageId: Digest }>();
  const lines: string[] = [];
  const steps: string[] = [];

  const config: SwarmTargetConfig = {
    name: "swarm",
    kind: "swarm",
    host: undefined,
    network: project,
    // A short monitor keeps the test quick; a crash within it still counts as a failed update.
    update: { parallelism: 1, order: "start-first", monitorMs: 2000 },
    publish: "host",
  };

  const context = recordingContext(lines, steps);

  /** What dray would deploy as service "web", running the image built from `source`. */
  const desired = (source: string, name = "web", deploy: Partial<DeploySettings> = {}): DesiredService => {
    const spec: DeploySpec = {
      service: name,
      project,
      image: {
        entrypoint: undefined,
        args: undefined,
        env: {},
        ports: ["8080/tcp"],
        user: undefined,
        workdir: undefined,
      },
      deploy: {
        replicas: 1,
        publish: [{ container: 8080, host: port, protocol: "tcp" }],
        health: {
          http: { path: "/healthz", port: 8080 },
          command: undefined,
          intervalMs: 500,
          timeoutMs: 30_000,
        },
        restart: "unless-stopped",
        env: { PORT: "8080" },
        ...deploy,
      },
    };
    const image = images.get(source)!;
    return {
      name,
      imageId: image.imageId,
      image: image.reference,
      spec,
      specDigest: specDigest(spec, config),
    };
  };

  const live = async (): Promise<LiveService | undefined> => (await target.readLive(project)).get("web");

  beforeAll(async () => {
    engine = createEngineClient(engineAddress(undefined, process.env, "test"));
    swarm = await joinSwarm(engine);
    registry = await startRegistry();
    port = await freePort();
    root = await mkdtemp(path.join(os.tmpdir(), "dray-swarm-"));
    await writeFile(path.join(root, "go.mod"), "module example.com/x\n\ngo 1.22\n");
    // Not "v1"/"v2": Go names a package ending in a major-version element after its parent.
    const sources = { one: server("v1"), two: server("v2"), crash: server("crash", true) };
    for (const [name, code] of Object.entries(sources)) {
      await mkdir(path.join(root, name));
      await writeFile(path.join(root, name, "main.go"), code);
    }
    await writeFile(
      path.join(root, "dray.yaml"),
      [
        `project: ${project}`,
        "platforms: [linux/amd64]",
        `registry: ${registry.url}/t`,
        "services:",
        ...Object.keys(sources).map((name) => `  ${name}: { go: ./${name}, ports: [8080] }`),
        "",
      ].join("\n"),
    );
    const pushed = await runDray(["push", "--json"], { cwd: root, timeoutMs: 120_000 });
    expect(pushed.code, pushed.stderr).toBe(0);
    const json = JSON.parse(pushed.stdout) as {
      services: { name: string; platforms: { platform: string; imageId: Digest }[] }[];
      push: { service: string; reference: string }[];
    };
    for (const p of json.push) {
      const built = json.services.find((s) => s.name === p.service)!;
      images.set(p.service, { reference: p.reference, imageId: built.platforms[0]!.imageId });
    }
    target = await openSwarmTarget(config, {
      project,
      env: process.env,
      where: "dray.yaml:1:1",
      locateService: (service) => `dray.yaml services.${service}`,
      registry: true,
      engine,
      publishMode: "host",
    });
  });

  afterAll(async () => {
    if (engine) {
      const filters = JSON.stringify({ label: [`dray.project=${project}`] });
      const left = await engine.json<{ ID: string }[]>({
        method: "GET",
        path: "/services",
        query: { filters },
      });
      for (const s of left) await engine.raw({ method: "DELETE", path: `/services/${s.ID}` });
      // The network can be removed only once the tasks' containers are gone.
      for (let i = 0; i < 40; i++) {
        const res = await engine.raw({ method: "DELETE", path: `/networks/${project}` });
        if (res.status === 204 || res.status === 404) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await leaveSwarm(engine, swarm);
      target?.close();
      engine.close();
    }
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("creates the service, which converges and answers on its published port on 127.0.0.1", async () => {
    await target.apply({ kind: "create", desired: desired("one"), reasons: ["new"] }, context);
    expect(await get(port)).toBe("v1");
    expect(steps).toEqual(["web create", "web converge", "web health"]);
  });

  it("reads the service back from its labels: image ID, spec digest, one service ID, running", async () => {
    const found = await live();
    expect(found).toEqual({
      name: "web",
      imageId: images.get("one")!.imageId,
      // The reference dray recorded: where a promotion from this target copies the image from.
      image: desired("one").image,
      specDigest: desired("one").specDigest,
      ids: [expect.any(String)],
      running: true,
      state: "1/1 tasks running",
      drift: [],
      // The version dray recorded on the service, and since when the service's spec is what it is.
      version: expect.objectContaining({
        imageId: images.get("one")!.imageId,
        image: images.get("one")!.reference,
      }),
      since: expect.any(String),
    });
    const service = await engine.json<{ Spec: { Name: string } }>({
      method: "GET",
      path: `/services/${found!.ids[0]}`,
    });
    expect(service.Spec.Name).toBe(serviceName(project, "web"));
  });

  it("updates to a new image in place: same service ID, the new image answers", async () => {
    const before = (await live())!;
    await target.apply(
      { kind: "replace", desired: desired("two"), live: before, reasons: ["image changed"] },
      context,
    );
    const after = (await live())!;
    expect(after.ids).toEqual(before.ids);
    expect(after.imageId).toBe(images.get("two")!.imageId);
    expect(after.running).toBe(true);
    expect(await get(port)).toBe("v2");
  });

  it("fails an update to an image that exits at once: swarm rolls back and the previous version still answers", async () => {
    const before = (await live())!;
    const error = await target
      .apply(
        { kind: "replace", desired: desired("crash"), live: before, reasons: ["image changed"] },
        context,
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DeployFailure);
    const failure = error as DeployFailure;
    expect(failure.message).toMatch(/^web: /);
    expect(failure.failure, `${failure.message}\n${failure.hint}\n${lines.join("\n")}`).toMatchObject({
      service: "web",
      rolledBack: true,
    });
    expect(failure.failure.logs).toContain("crash: refusing to start");
    expect(await get(port)).toBe("v2");
    const after = (await live())!;
    expect(after.imageId).toBe(images.get("two")!.imageId);
    expect(after.ids).toEqual(before.ids);
  });

  it("removes a new service whose only task exits at once (restart: no) and reports its log", async () => {
    const broken = desired("crash", "broken", { publish: [], health: undefined, restart: "no" });
    const error = await target.apply({ kind: "create", desired: broken, reasons: ["new"] }, context).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeployFailure);
    expect((error as DeployFailure).message).toMatch(
      /^broken: the new service did not become healthy: a task of the new version failed/,
    );
    expect((error as DeployFailure).failure).toMatchObject({ service: "broken", rolledBack: false });
    expect((error as DeployFailure).failure.logs).toContain("crash: refusing to start");
    expect((await target.readLive(project)).has("broken")).toBe(false);
  });

  it("removes the service", async () => {
    const before = (await live())!;
    await target.remove(before, context);
    expect(await live()).toBeUndefined();
    const res = await engine.raw({ method: "GET", path: `/services/${before.ids[0]}` });
    expect(res.status).toBe(404);
  });
});
