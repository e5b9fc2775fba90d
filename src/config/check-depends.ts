/**
 * Checks of `dependsOn` that the schema of one service cannot see: every name is a service of the
 * file, and the services do not wait on each other in a circle. Works on the raw data, next to
 * validation, so these problems are reported with the others.
 */
import { type Problem, problemAt } from "./problems.js";
import { formatCycle, startOrder } from "./start-order.js";
import { closest } from "./suggest.js";
import { isMap } from "./validate.js";

/** Every problem of the services' `dependsOn` lists; pure. */
export function checkDependsOn(data: Record<string, unknown>): Problem[] {
  if (!isMap(data.services)) return [];
  const names = Object.keys(data.services);
  const problems: Problem[] = [];
  const nodes: { name: string; dependsOn: string[] }[] = [];
  for (const [name, service] of Object.entries(data.services)) {
    const list = isMap(service) ? service.dependsOn : undefined;
    // Anything but a list of names is reported by validation.
    if (!Array.isArray(list)) continue;
    const dependsOn: string[] = [];
    list.forEach((entry, i) => {
      if (typeof entry !== "string") return;
      if (names.includes(entry)) dependsOn.push(entry);
      else problems.push(problemAt(["services", name, "dependsOn", i], "value", unknown(entry, names)));
    });
    nodes.push({ name, dependsOn });
  }
  const order = startOrder(nodes);
  if (!order.ok) {
    const [first, second] = order.cycle;
    const at = nodes.find((n) => n.name === first)!.dependsOn.indexOf(second!);
    problems.push(
      problemAt(
        ["services", first!, "dependsOn", at],
        "value",
        `the services depend on each other in a cycle: ${formatCycle(order.cycle)} — none of them could start first; remove one of these dependsOn entries`,
      ),
    );
  }
  return problems;
}

function unknown(entry: string, names: readonly string[]): string {
  const guess = closest(entry, names);
  const known = `the services are ${names.map((n) => JSON.stringify(n)).join(", ")}`;
  return `dependsOn names ${JSON.stringify(entry)}, which is not a service in this file — ${guess ? `did you mean ${JSON.stringify(guess)}?` : known}`;
}
