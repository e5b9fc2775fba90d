/**
 * Environments in dray.yaml: targets that extend one another, per-service overrides on a target,
 * a target's own registry and project name — what a valid file resolves to, and what the user sees
 * for each mistake (at the line of dray.yaml, exit 2 through the config error).
 */
import { describe, expect, it } from "vitest";
import { problemsOfLines, resolveLines } from "../../test/support/config-lines.js";
import { deploySpec, specDigest } from "../deploy/spec.js";
import type { DockerTargetConfig } from "./types.js";

const services = [
  "services:",
  "  api:",
  "    go: ./services/api",
  "    deploy:",
  "      replicas: 2",
  '      publish: ["18080:8080"]',
  "      env: { LOG: info, MODE: web }",
  "  orders:",
  "    go: ./services/orders",
];

const staging = [
  "project: shop",
  "targets:",
  "  staging:",
  "    type: docker",
  "    network: stage-net",
  "    registry: 127.0.0.1:5000/shop",
  "    services:",
  "      api: { env: { LOG: debug } }",
];

describe("targets that extend one another", () => {
  it("a child inherits every field, merges maps key by key and replaces lists and scalars", () => {
    const config = resolveLines([
      ...staging,
      "  prod:",
      "    extends: staging",
      "    project: shop-prod",
      "    registry: 127.0.0.1:6000/shop",
      "    services:",
      '      api: { replicas: 3, publish: ["28080:8080"], env: { MODE: api } }',
      ...services,
    ]);
    const [stage, prod] = config.targets as DockerTargetConfig[];
    expect(prod).toMatchObject({
      name: "prod",
      kind: "docker",
      project: "shop-prod",
      network: "stage-net",
      bind: "127.0.0.1",
      registry: { registry: "127.0.0.1:6000", namespace: "shop" },
    });
    expect(stage?.services?.["api"]?.env).toEqual({ LOG: "debug", MODE: "web" });
    // staging's LOG override is inherited, prod's MODE laid over it; the service's own settings under both.
    expect(prod?.services?.["api"]).toMatchObject({
      replicas: 3,
      env: { LOG: "debug", MODE: "api" },
      publish: [{ host: 28080, container: 8080, protocol: "tcp" }],
      restart: "unless-stopped",
    });
    expect(prod?.services?.["orders"]).toBeUndefined();
  });

  it("chains: a grandchild gets its grandparent's fields through its parent", () => {
    const config = resolveLines([
      ...staging,
      "  prod: { extends: staging, bind: 0.0.0.0 }",
      "  prod-eu: { extends: prod, project: shop-eu }",
      ...services,
    ]);
    expect(config.targets[2]).toMatchObject({
      name: "prod-eu",
      network: "stage-net",
      bind: "0.0.0.0",
      project: "shop-eu",
    });
  });

  it("a project name on a target names its default network", () => {
    const config = resolveLines([
      "project: shop",
      "targets:",
      "  a: { type: docker }",
      "  b: { type: docker, project: shop-b }",
      ...services,
    ]);
    expect(config.targets.map((t) => (t as DockerTargetConfig).network)).toEqual(["shop", "shop-b"]);
    expect(config.targets[0]).not.toHaveProperty("project");
  });

  const cases: { description: string; lines: string[]; expected: string[] }[] = [
    {
      description: "an unknown parent is named, with the closest target and the chain",
      lines: [...staging, "  prod: { extends: stagin }", ...services],
      expected: [
        'dray.yaml:9:20  targets.prod.extends: extends "stagin", which is not a target — did you mean "staging"? (chain: prod → stagin)',
      ],
    },
    {
      description: "a cycle is reported once, with the whole chain",
      lines: [
        "project: shop",
        "targets:",
        "  a: { extends: b }",
        "  b: { extends: c }",
        "  c: { extends: a }",
        ...services,
      ],
      expected: ["dray.yaml:5:17  targets.c.extends: targets extend each other in a cycle: a → b → c → a"],
    },
    {
      description: "a child of another kind than its parent",
      lines: [...staging, "  prod: { extends: staging, type: swarm }", ...services],
      expected: [
        'dray.yaml:9:20  targets.prod.extends: a swarm target cannot extend "staging", a docker target — a target extends one of its own kind',
      ],
    },
    {
      description: "an override of a service the project does not have, at its own line",
      lines: [...staging, "      ordrs: { replicas: 2 }", ...services],
      expected: [
        'dray.yaml:9:7  targets.staging.services.ordrs: "ordrs" is not a service of this project — did you mean "orders"? (services: api, orders)',
      ],
    },
    {
      description: "a child's own field is checked like any target's",
      lines: [...staging, '  prod: { extends: staging, network: "a b" }', ...services],
      expected: ["dray.yaml:9:38  targets.prod.network: a network name is letters, digits, '_', '.' and '-'"],
    },
  ];
  for (const { description, lines, expected } of cases)
    it(description, () => expect(problemsOfLines(lines)).toEqual(expected));

  it("a target's own registry is where its required signatures are, without a project registry", () => {
    const lines = (registry: string) => [
      "project: shop",
      "targets:",
      `  prod: { type: docker, ${registry}require: { signed: keys/prod.pub } }`,
      ...services,
    ];
    expect(problemsOfLines(lines("registry: 127.0.0.1:5000/shop, "))).toEqual([]);
    expect(problemsOfLines(lines(""))).toEqual([
      "dray.yaml:3:25  targets.prod.require: a signature requirement needs a registry: signatures are stored next to the image there — add `registry`, or remove `require`",
    ]);
  });
});

describe("per-service overrides in the deploy spec", () => {
  it("change the spec of the overridden service on that target only, and never the image", () => {
    const config = resolveLines([
      ...staging,
      "  prod: { extends: staging, services: { api: { replicas: 5 } } }",
      ...services,
    ]);
    const [stage, prod] = config.targets;
    const api = config.services.find((s) => s.name === "api")!;
    const orders = config.services.find((s) => s.name === "orders")!;
    const digest = (s: typeof api, t: typeof stage) => specDigest(deploySpec(config, s, t), t!);
    expect(deploySpec(config, api, prod).deploy.replicas).toBe(5);
    expect(deploySpec(config, api, stage).deploy.replicas).toBe(2);
    expect(digest(api, prod)).not.toBe(digest(api, stage));
    // Registry, project name and overrides are not part of the target's shape: orders is unchanged.
    expect(digest(orders, prod)).toBe(digest(orders, stage));
    expect(deploySpec(config, api, prod).image).toEqual(deploySpec(config, api, stage).image);
  });
});
