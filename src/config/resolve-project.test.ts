/**
 * Resolution of the project: deploy settings and targets with their defaults, the epoch chosen,
 * a locator back into the file, and a config no stage can change.
 */
import { describe, expect, it } from "vitest";
import { resolveLines } from "../../test/support/config-lines.js";

/** `lines` resolved as /repo/dray.yaml with the environment `env`. */
const resolve = (lines: readonly string[], env: NodeJS.ProcessEnv = {}) => resolveLines(lines, { env });

describe("resolution of the project", () => {
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

  it("takes a kubeconfig as the user's file: absolute and ~ as written, relative from the project root", () => {
    const config = resolve([
      "project: shop",
      "targets:",
      "  home: { type: kubernetes, kubeconfig: ~/.kube/config, createNamespace: false, podSecurity: none }",
      "  abs: { type: kubernetes, kubeconfig: /etc/kube/ci.yaml }",
      "  rel: { type: kubernetes, kubeconfig: k8s/kubeconfig }",
      "services:",
      "  api: { go: ./services/api }",
    ]);
    expect(config.targets.map((t) => (t.kind === "kubernetes" ? t.kubeconfig : undefined))).toEqual([
      "~/.kube/config",
      "/etc/kube/ci.yaml",
      "/repo/k8s/kubeconfig",
    ]);
    expect(config.targets[0]).toMatchObject({ createNamespace: false, podSecurity: "none" });
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
        createNamespace: true,
        podSecurity: "restricted",
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
