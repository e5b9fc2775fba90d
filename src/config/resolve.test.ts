/**
 * Resolution: what later stages get from a valid dray.yaml — defaults applied, absolute paths,
 * one form per value, services sorted, the epoch chosen, and a locator back into the file.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfig } from "./check-config.js";
import type { Exists } from "./check-paths.js";
import type { ResolvedConfig } from "./types.js";

const everything: Exists = (p) =>
  path.basename(p) === "oci-layout" || p.endsWith(".json") ? "file" : "directory";

function resolve(lines: readonly string[], env: NodeJS.ProcessEnv = {}): ResolvedConfig {
  const source = `${lines.join("\n")}\n`;
  const result = checkConfig({
    source,
    file: "/repo/dray.yaml",
    display: "dray.yaml",
    env,
    exists: everything,
  });
  if (!result.ok)
    throw new Error(`unexpected problems:\n${result.problems.map((p) => p.message).join("\n")}`);
  return result.config;
}

describe("resolution", () => {
  it("applies every default to a go service", () => {
    const config = resolve(["project: shop", "services:", "  api:", "    go: services/api"]);
    expect(config).toMatchObject({
      root: "/repo",
      file: "/repo/dray.yaml",
      project: "shop",
      sourceDateEpoch: 0,
    });
    expect(config.services).toEqual([
      {
        kind: "go",
        name: "api",
        context: "/repo",
        platforms: [{ os: "linux", architecture: "amd64" }],
        base: { kind: "scratch" },
        files: [],
        deploy: { replicas: 1, publish: [], health: undefined, restart: "unless-stopped", env: {} },
        live: { sync: [], run: [], restart: true },
        image: {
          entrypoint: ["/app/api"],
          args: undefined,
          env: {},
          ports: [],
          user: undefined,
          labels: {},
          workdir: undefined,
        },
        package: "./services/api",
        packageDir: "/repo/services/api",
        binaryPath: "/app/api",
        cgo: false,
        debug: false,
        ldflags: [],
        tags: [],
      },
    ]);
  });

  it("applies every default to a command service", () => {
    const config = resolve([
      "project: shop",
      "services:",
      "  web:",
      "    command: node build.mjs",
      "    dir: web",
    ]);
    expect(config.services).toEqual([
      {
        kind: "command",
        name: "web",
        context: "/repo/web",
        platforms: [{ os: "linux", architecture: "amd64" }],
        base: { kind: "scratch" },
        files: [],
        deploy: { replicas: 1, publish: [], health: undefined, restart: "unless-stopped", env: {} },
        live: { sync: [], run: [], restart: true },
        image: {
          entrypoint: undefined,
          args: undefined,
          env: {},
          ports: [],
          user: undefined,
          labels: {},
          workdir: undefined,
        },
        command: ["sh", "-c", "node build.mjs"],
        output: "/repo/web/dist",
        to: "/app",
        buildEnv: {},
        inputs: ["**/*"],
      },
    ]);
  });

  it("turns every setting into its one form", () => {
    const config = resolve([
      "project: shop",
      "platforms: [linux/amd64, linux/arm/v7]",
      "base: oci:images:alpine:3.20",
      "services:",
      "  api:",
      "    go: ./services/api",
      "    context: services",
      "    binary: /usr/local/bin/api",
      "    cgo: true",
      "    debug: true",
      "    ldflags: [-X=main.version=1]",
      "    tags: [netgo]",
      "    entrypoint: /usr/local/bin/api serve",
      "    args: --verbose",
      "    env: { PORT: 8080, DEBUG: true, NAME: api }",
      '    ports: [8080, "8080", "53/udp", "9090/tcp"]',
      "    user: 65532",
      "    labels: { tier: 2 }",
      "    workdir: /srv/",
      "    files: [api/static:/srv/static, { from: config/app.json, to: /etc//app.json }]",
    ]);
    const [api] = config.services;
    expect(api).toMatchObject({
      context: "/repo/services",
      platforms: [
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm", variant: "v7" },
      ],
      base: { kind: "layout", layout: "/repo/images", ref: "alpine:3.20" },
      binaryPath: "/usr/local/bin/api",
      cgo: true,
      debug: true,
      ldflags: ["-X=main.version=1"],
      tags: ["netgo"],
      files: [
        { from: "/repo/services/api/static", to: "/srv/static" },
        { from: "/repo/services/config/app.json", to: "/etc/app.json" },
      ],
      image: {
        entrypoint: ["/usr/local/bin/api serve"],
        args: ["--verbose"],
        env: { PORT: "8080", DEBUG: "true", NAME: "api" },
        ports: ["8080/tcp", "53/udp", "9090/tcp"],
        user: "65532",
        labels: { tier: "2" },
        workdir: "/srv/",
      },
    });
  });

  it("lets a service override the project's platforms and base, and takes argv lists as they are", () => {
    const config = resolve([
      "project: shop",
      "platforms: [linux/amd64, linux/arm64]",
      "base: oci:images:alpine",
      "services:",
      "  web:",
      "    command: [node, build.mjs]",
      "    dir: web",
      "    output: out/site",
      "    to: /srv/www",
      "    buildEnv: { NODE_ENV: production, CI: true }",
      "    inputs: [src/**, '!src/**/*.test.js']",
      "    platforms: [linux/arm64]",
      "    base: scratch",
      "    entrypoint: [/bin/server, --root]",
    ]);
    expect(config.services[0]).toMatchObject({
      platforms: [{ os: "linux", architecture: "arm64" }],
      base: { kind: "scratch" },
      command: ["node", "build.mjs"],
      output: "/repo/web/out/site",
      to: "/srv/www",
      buildEnv: { NODE_ENV: "production", CI: "true" },
      inputs: ["src/**", "!src/**/*.test.js"],
      image: { entrypoint: ["/bin/server", "--root"] },
    });
  });

  it("resolves deploy settings: published ports, health with durations, and the default local target", () => {
    const config = resolve([
      "project: shop",
      "services:",
      "  api:",
      "    go: ./services/api",
      "    ports: [8080]",
      "    deploy:",
      '      publish: [8080, "18080:9090/udp"]',
      "      health: { http: /healthz, interval: 500ms, timeout: 2m }",
      "      env: { LOG: 1 }",
      "      replicas: 3",
    ]);
    expect(config.services[0]!.deploy).toEqual({
      replicas: 3,
      publish: [
        { host: 8080, container: 8080, protocol: "tcp" },
        { host: 18080, container: 9090, protocol: "udp" },
      ],
      health: {
        http: { path: "/healthz", port: 8080 },
        command: undefined,
        intervalMs: 500,
        timeoutMs: 120_000,
      },
      restart: "unless-stopped",
      env: { LOG: "1" },
    });
    expect(config.targets).toEqual([
      { name: "local", kind: "docker", host: undefined, network: "shop", bind: "127.0.0.1" },
    ]);
  });

  it("resolves targets in file order with their defaults", () => {
    const config = resolve([
      "project: shop",
      "targets:",
      "  prod: { type: kubernetes, namespace: shop, manifests: k8s, progressDeadline: 90 }",
      "  swarm: { type: swarm, update: { order: stop-first } }",
      "  podman: { type: docker, host: unix:///run/podman/podman.sock, bind: 0.0.0.0 }",
      "services:",
      "  api: { go: ./services/api }",
    ]);
    expect(config.targets).toEqual([
      {
        name: "prod",
        kind: "kubernetes",
        namespace: "shop",
        context: undefined,
        kubeconfig: undefined,
        manifests: "/repo/k8s",
        progressDeadlineSeconds: 90,
      },
      {
        name: "swarm",
        kind: "swarm",
        host: undefined,
        network: "shop",
        update: { parallelism: 1, order: "stop-first", monitorMs: 5000 },
        publish: "ingress",
      },
      {
        name: "podman",
        kind: "docker",
        host: "unix:///run/podman/podman.sock",
        network: "shop",
        bind: "0.0.0.0",
      },
    ]);
  });

  it("sorts services by name and normalizes the package path", () => {
    const config = resolve([
      "project: shop",
      "services:",
      "  zeta:",
      "    go: ./z/../zeta",
      "  alpha:",
      "    go: .",
    ]);
    expect(config.services.map((s) => [s.name, s.kind === "go" ? s.package : ""])).toEqual([
      ["alpha", "."],
      ["zeta", "./zeta"],
    ]);
  });

  const epochCases: { description: string; file?: string; env: NodeJS.ProcessEnv; expected: number }[] = [
    {
      description: "the file's sourceDateEpoch wins over the environment",
      file: "5",
      env: { SOURCE_DATE_EPOCH: "7" },
      expected: 5,
    },
    {
      description: "SOURCE_DATE_EPOCH when the file sets none",
      env: { SOURCE_DATE_EPOCH: "1700000000" },
      expected: 1700000000,
    },
    {
      description: "an empty SOURCE_DATE_EPOCH counts as unset",
      env: { SOURCE_DATE_EPOCH: "" },
      expected: 0,
    },
    { description: "0 when neither sets it", env: {}, expected: 0 },
  ];
  it.each(epochCases)("sourceDateEpoch: $description", ({ file, env, expected }) => {
    const epochLine = file === undefined ? [] : [`sourceDateEpoch: ${file}`];
    const config = resolve(["project: shop", ...epochLine, "services:", "  api:", "    go: ./api"], env);
    expect(config.sourceDateEpoch).toBe(expected);
  });

  it("locates settings in the file, and defaults at their service", () => {
    const config = resolve([
      "project: shop",
      "services:",
      "  api:",
      "    go: ./services/api",
      "    ports: [8080, 9090]",
    ]);
    expect(config.locate(["services", "api", "go"])).toBe("dray.yaml:4:9");
    expect(config.locate(["services", "api", "ports", 1])).toBe("dray.yaml:5:19");
    expect(config.locate(["services", "api", "binary"])).toBe("dray.yaml:3:3");
  });

  it("is frozen all the way down, so no stage can change what another reads", () => {
    const config = resolve(["project: shop", "services:", "  api:", "    go: ./api", "    env: { A: b }"]);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.services[0]!.image.env)).toBe(true);
    expect(() => {
      (config.services[0]!.image.env as Record<string, string>).A = "changed";
    }).toThrow(TypeError);
  });
});
