/**
 * Version stamps from git: `{{.Version}}`, `{{.Commit}}`, `{{.ShortCommit}}` and `{{.CommitTime}}`
 * in `ldflags`, `env`, `buildEnv`, `labels` and `annotations`. Not a template engine: a field is
 * the only thing `{{…}}` may hold, and anything else is a problem at its dray.yaml line. Pure: the
 * values come from git-stamps.ts, read once per run and only when some setting uses one.
 */
import type { Problem } from "./problems.js";
import { problemAt } from "./problems.js";
import { deepFreeze } from "./resolve.js";
import type { ConfigPath, GoService, ResolvedConfig, ResolvedService } from "./types.js";

/** The fields a template may name, in the order messages list them. */
export const STAMP_FIELDS = ["Version", "Commit", "ShortCommit", "CommitTime"] as const;

/** One field of the stamps. */
export type StampField = (typeof STAMP_FIELDS)[number];

/** The values of every field, as git gave them for one commit (and working tree, for Version). */
export type Stamps = Readonly<Record<StampField, string>>;

/** The keys of a service whose values may use templates: lists of words, or maps of names to values. */
const SITES = ["ldflags", "env", "buildEnv", "labels", "annotations"] as const;

/** One value that may hold a template, and where it is written, relative to the service. */
export interface StampSite {
  path: ConfigPath;
  text: string;
}

const FIELD_LIST = STAMP_FIELDS.map((f) => `{{.${f}}}`).join(", ");
const TEMPLATE = /\{\{(.*?)\}\}/g;

/** The fields `text` uses, or what is wrong with its templates. */
export function templateFields(text: string): { fields: StampField[] } | { error: string } {
  const fields: StampField[] = [];
  for (const match of text.matchAll(TEMPLATE)) {
    const inner = match[1]!.trim();
    const field = /^\.([A-Za-z]+)$/.exec(inner)?.[1];
    if (!field || !(STAMP_FIELDS as readonly string[]).includes(field)) {
      return { error: `${JSON.stringify(match[0])} is not a version stamp — dray knows ${FIELD_LIST}` };
    }
    fields.push(field as StampField);
  }
  const rest = text.replace(TEMPLATE, "");
  if (rest.includes("{{") || rest.includes("}}")) {
    return {
      error: `${JSON.stringify(text)} has an unclosed "{{" or a stray "}}" — write e.g. {{.Version}}`,
    };
  }
  return { fields };
}

/** The values of `service` (as written, or resolved) that may use templates, each with its path. */
export function stampSites(service: Readonly<Partial<Record<(typeof SITES)[number], unknown>>>): StampSite[] {
  const sites: StampSite[] = [];
  for (const key of SITES) {
    const value = service[key];
    if (Array.isArray(value)) {
      value.forEach((text, i) => {
        if (typeof text === "string") sites.push({ path: [key, i], text });
      });
    } else if (typeof value === "object" && value !== null) {
      for (const [name, text] of Object.entries(value)) {
        if (typeof text === "string") sites.push({ path: [key, name], text });
      }
    }
  }
  return sites;
}

/** Every malformed template of a service as written, at its line. */
export function templateProblems(servicePath: ConfigPath, service: unknown): Problem[] {
  if (typeof service !== "object" || service === null) return [];
  return stampSites(service as Record<string, unknown>).flatMap((site) => {
    const found = templateFields(site.text);
    return "error" in found ? [problemAt([...servicePath, ...site.path], "value", found.error)] : [];
  });
}

/** Where a resolved service's values live, by the key written in dray.yaml. */
function siteValues(service: ResolvedService): Partial<Record<(typeof SITES)[number], unknown>> {
  return {
    ...(service.kind === "go" ? { ldflags: service.ldflags } : { buildEnv: service.buildEnv }),
    env: service.image.env,
    labels: service.image.labels,
    annotations: service.annotations,
  };
}

/** The values of a resolved service that may use templates, by where dray.yaml writes them. */
export function serviceStampSites(service: ResolvedService): StampSite[] {
  return stampSites(siteValues(service));
}

/** The first place each field is used in the config (for messages), in service order; empty when none is. */
export function usedStamps(config: ResolvedConfig): Map<StampField, ConfigPath> {
  const used = new Map<StampField, ConfigPath>();
  for (const service of config.services) {
    for (const site of serviceStampSites(service)) {
      const found = templateFields(site.text);
      if ("error" in found) continue;
      for (const field of found.fields)
        if (!used.has(field)) used.set(field, ["services", service.name, ...site.path]);
    }
  }
  return used;
}

/** `text` with every field replaced by its value. */
export function renderTemplate(text: string, stamps: Stamps): string {
  return text.replace(TEMPLATE, (_, inner: string) => stamps[inner.trim().slice(1) as StampField]);
}

function renderMap(map: Readonly<Record<string, string>>, stamps: Stamps): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, renderTemplate(v, stamps)]));
}

function renderService(service: ResolvedService, stamps: Stamps): ResolvedService {
  const image = {
    ...service.image,
    env: renderMap(service.image.env, stamps),
    labels: renderMap(service.image.labels, stamps),
  };
  const annotations = renderMap(service.annotations, stamps);
  if (service.kind === "command")
    return { ...service, image, annotations, buildEnv: renderMap(service.buildEnv, stamps) };
  const ldflags = service.ldflags.map((word) => renderTemplate(word, stamps));
  return { ...service, image, annotations, ldflags } satisfies GoService;
}

/** The config with every template rendered, and the values it was rendered with. Pure. */
export function applyStamps(config: ResolvedConfig, stamps: Stamps): ResolvedConfig {
  return deepFreeze({
    ...config,
    services: config.services.map((s) => renderService(s, stamps)),
    stamps: { ...stamps },
  });
}
