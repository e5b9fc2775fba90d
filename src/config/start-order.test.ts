/** The start order from `dependsOn`: layers, stable by name, and cycles reported with their path. */
import { describe, expect, it } from "vitest";
import { problemsOfLines } from "../../test/support/config-lines.js";
import { formatCycle, startOrder } from "./start-order.js";

const node = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });

describe("startOrder", () => {
  const cases = [
    {
      description: "no dependencies: one layer, by name",
      nodes: [node("b"), node("a")],
      layers: [["a", "b"]],
    },
    {
      description: "a chain: one service per layer",
      nodes: [node("c", "b"), node("b", "a"), node("a")],
      layers: [["a"], ["b"], ["c"]],
    },
    {
      description: "a service goes one layer after its deepest dependency",
      nodes: [node("web", "api", "db"), node("api", "db"), node("db"), node("worker", "db")],
      layers: [["db"], ["api", "worker"], ["web"]],
    },
    {
      description: "a dependency outside the run is ignored (deploy of a selection)",
      nodes: [node("api", "db"), node("web", "api")],
      layers: [["api"], ["web"]],
    },
    {
      description: "a name listed twice counts once",
      nodes: [node("api", "db", "db"), node("db")],
      layers: [["db"], ["api"]],
    },
  ];
  for (const c of cases)
    it(c.description, () => expect(startOrder(c.nodes)).toEqual({ ok: true, layers: c.layers }));

  it("finds a cycle and its path, from the first name on it", () => {
    const order = startOrder([node("c", "a"), node("a", "b"), node("b", "c"), node("d", "a")]);
    expect(order).toEqual({ ok: false, cycle: ["a", "b", "c", "a"] });
    if (!order.ok) expect(formatCycle(order.cycle)).toBe("a → b → c → a");
  });

  it("a service that depends on itself is a cycle of one", () => {
    expect(startOrder([node("a", "a")])).toEqual({ ok: false, cycle: ["a", "a"] });
  });
});

describe("dependsOn in dray.yaml", () => {
  const service = (name: string, dependsOn?: string) => [
    `  ${name}:`,
    `    go: ./services/${name}`,
    ...(dependsOn ? [`    dependsOn: ${dependsOn}`] : []),
  ];
  const problemsOf = (lines: string[]) => problemsOfLines(["project: shop", "services:", ...lines], {});

  it("names an unknown service at its line and suggests the closest name", () => {
    expect(problemsOf([...service("api", "[dbb]"), ...service("db")])).toEqual([
      'dray.yaml:5:17  services.api.dependsOn[0]: dependsOn names "dbb", which is not a service in this file — did you mean "db"?',
    ]);
  });

  it("reports a cycle with its path, at the entry that closes it", () => {
    expect(problemsOf([...service("a", "[b]"), ...service("b", "[c]"), ...service("c", "[a]")])).toEqual([
      "dray.yaml:5:17  services.a.dependsOn[0]: the services depend on each other in a cycle: a → b → c → a — none of them could start first; remove one of these dependsOn entries",
    ]);
  });

  it("accepts an order without cycles", () => {
    expect(problemsOf([...service("api", "[db]"), ...service("db")])).toEqual([]);
  });
});
