/**
 * Checks dray.yaml's data against the schema and collects every problem. The frame (project,
 * platforms, the services map) and each service are checked separately, each service against
 * the schema of its kind, so messages can say "not allowed for a go service".
 */
import { posix } from "node:path";
import type * as z from "zod";
import { Annotation } from "../oci/index.js";
import { targetServiceProblems } from "./check-target-services.js";
import { expandTargets } from "./expand-targets.js";
import { describeValue, issueMessage } from "./issue-messages.js";
import { issuesToProblems, type TranslateOptions } from "./issues-to-problems.js";
import { fileParts } from "./normalize.js";
import { type Problem, problemAt } from "./problems.js";
import {
  type CommandServiceConfig,
  commandServiceSchema,
  configFrameSchema,
  type FileEntryConfig,
  type GoServiceConfig,
  goServiceSchema,
  type UserConfig,
} from "./schema.js";
import { templateProblems } from "./stamps.js";
import type { ConfigPath } from "./types.js";

/** The outcome: the typed config when there are no problems. */
export type Validation = { ok: true; config: UserConfig } | { ok: false; problems: Problem[] };

type Kind = "go" | "command";

const kinds = {
  go: { schema: goServiceSchema, keys: Object.keys(goServiceSchema.shape) },
  command: { schema: commandServiceSchema, keys: Object.keys(commandServiceSchema.shape) },
};

/** True for a YAML map (not a list, not a scalar, not empty). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  base: ConfigPath,
  options: TranslateOptions = {},
): { value: z.output<S> | undefined; problems: Problem[] } {
  // reportInput keeps each issue's value: that is how a missing key is told from an empty one.
  const result = schema.safeParse(value, { error: issueMessage, reportInput: true });
  if (result.success) return { value: result.data, problems: [] };
  return { value: undefined, problems: issuesToProblems(result.error.issues, schema, base, options) };
}

/** A key of the other kind of service is not a typo: say which kind it belongs to (on the service itself only). */
function foreignKey(kind: Kind, service: ConfigPath): TranslateOptions["unknownKey"] {
  const other: Kind = kind === "go" ? "command" : "go";
  return (key, at) =>
    at.length === service.length && kinds[other].keys.includes(key) && !kinds[kind].keys.includes(key)
      ? `${JSON.stringify(key)} is not allowed for a ${kind} service (it belongs to ${other} services)`
      : undefined;
}

type ServiceResult = { value: GoServiceConfig | CommandServiceConfig | undefined; problems: Problem[] };

function validateService(name: string, spec: unknown): ServiceResult {
  const path = ["services", name];
  if (!isMap(spec)) {
    const message = `expected a map with "go" (a Go main package) or "command", got ${describeValue(spec)}`;
    return { value: undefined, problems: [problemAt(path, "value", message)] };
  }
  const hasGo = "go" in spec;
  const hasCommand = "command" in spec;
  if (!hasGo && !hasCommand) {
    const message = `needs "go" (the directory of a Go main package) or "command" (a command that builds it)`;
    return { value: undefined, problems: [problemAt(path, "key", message)] };
  }
  const kind: Kind = hasGo ? "go" : "command";
  const problems: Problem[] = [];
  let body = spec;
  if (hasGo && hasCommand) {
    problems.push(
      problemAt(
        [...path, "command"],
        "key",
        `has both "go" and "command" — a service is either a Go main package (go) or built by a command (command)`,
      ),
    );
    const { command: _reported, ...rest } = spec;
    body = rest;
  }
  const result = parse(kinds[kind].schema, body, path, { unknownKey: foreignKey(kind, path) });
  problems.push(
    ...result.problems,
    ...sharedDestinations(path, result.value?.files),
    ...templateProblems(path, result.value),
    ...reservedAnnotations(path, result.value?.annotations),
  );
  return { value: problems.length === 0 ? result.value : undefined, problems };
}

/**
 * `files:` entries that write the same path of the image: all of them go into one layer, where a
 * path can be written once, and which one was meant cannot be guessed. Reported at the later one.
 */
function sharedDestinations(service: ConfigPath, files: readonly FileEntryConfig[] | undefined): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  (files ?? []).forEach((entry, index) => {
    const to = fileParts(entry).to;
    // "/etc/app/", "/etc//app" and "/etc/./app" are all /etc/app.
    const key = posix.normalize(to).replace(/(.)\/+$/, "$1");
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return;
    }
    problems.push(
      problemAt(
        [...service, "files", index],
        "value",
        `${JSON.stringify(to)} is also the destination of files[${earlier}] — each path in the image can come from one entry only`,
      ),
    );
  });
  return problems;
}

/** Annotations dray writes itself: the time stamp, the base's digest, and the tag of a layout entry. */
const RESERVED_ANNOTATIONS: readonly string[] = [
  Annotation.created,
  Annotation.baseDigest,
  Annotation.refName,
];

function reservedAnnotations(
  service: ConfigPath,
  annotations: Record<string, unknown> | undefined,
): Problem[] {
  return Object.keys(annotations ?? {})
    .filter((key) => RESERVED_ANNOTATIONS.includes(key))
    .map((key) =>
      problemAt(
        [...service, "annotations", key],
        "key",
        `${JSON.stringify(key)} is written by dray itself (from sourceDateEpoch, the base image, or the tag) — leave it out`,
      ),
    );
}

/** Validates dray.yaml's data; pure. */
export function validateConfig(data: unknown): Validation {
  if (data === undefined || data === null) {
    const message = 'the file is empty — it needs at least "project" and "services"';
    return { ok: false, problems: [problemAt([], "value", message)] };
  }
  if (!isMap(data)) {
    const message = `the file must be a map of settings (project, services, …), got ${describeValue(data)}`;
    return { ok: false, problems: [problemAt([], "value", message)] };
  }
  // Targets that extend another are checked as the whole target they become.
  const expanded = expandTargets(data);
  const frame = parse(configFrameSchema, expanded.data, []);
  const problems = [...expanded.problems, ...targetServiceProblems(data), ...frame.problems];
  const rawServices = isMap(data.services) ? data.services : {};
  const services: Record<string, GoServiceConfig | CommandServiceConfig> = {};
  for (const [name, spec] of Object.entries(rawServices)) {
    const result = validateService(name, spec);
    problems.push(...result.problems);
    if (result.value) services[name] = result.value;
  }
  if (problems.length > 0 || frame.value === undefined) return { ok: false, problems };
  return { ok: true, config: { ...frame.value, services } };
}
