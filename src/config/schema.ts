/**
 * dray.yaml as a zod schema: the one source for validation, for the JSON Schema editors use,
 * and for the configuration reference (the `.describe()` texts). It describes what the user
 * writes; defaults that depend on other settings are applied by resolve.ts.
 */
import * as z from "zod";
import { describeValue } from "./issue-messages.js";
import { base } from "./schema-base.js";
import { deploySettings, liveRules, targets } from "./schema-deploy.js";
import {
  envMap,
  fileEntry,
  imageFilePath,
  imagePath,
  imageUser,
  platformList,
  port,
  projectName,
  relativePath,
  scalar,
  serviceName,
  stringOrList,
} from "./schema-fields.js";
import { cache, registry } from "./schema-registry.js";
import { sbom, sign } from "./schema-supply-chain.js";

/** Settings both kinds of service share: what goes into the image config, and how it is built. */
const imageSettings = {
  entrypoint: stringOrList
    .optional()
    .describe(
      "The program the container runs: a string (one argument, not split) or a list. Default for Go services: [binary]; command services have none unless set.",
    ),
  args: stringOrList
    .optional()
    .describe("Arguments after the entrypoint (the image's Cmd): a string (one argument) or a list."),
  env: envMap(
    'Environment variables in the image. Numbers and booleans become text as written (quote "1.0" to keep it). Values may use the version stamps {{.Version}}, {{.Commit}}, {{.ShortCommit}} and {{.CommitTime}}.',
  ).optional(),
  ports: z
    .array(port)
    .optional()
    .describe('Ports the image exposes; numbers are TCP. Written to the image as "8080/tcp".'),
  user: imageUser.optional(),
  labels: z
    .record(z.string().min(1), scalar)
    .optional()
    .describe(
      "Labels in the image config; numbers and booleans become text. Values may use the version stamps {{.Version}}, {{.Commit}}, {{.ShortCommit}} and {{.CommitTime}}.",
    ),
  annotations: z
    .record(z.string().min(1), scalar)
    .optional()
    .describe(
      'Annotations on the image\'s manifest (and index), e.g. org.opencontainers.image.revision: "{{.Commit}}", org.opencontainers.image.source, org.opencontainers.image.version. Values may use the version stamps.',
    ),
  workdir: imagePath.optional().describe("Working directory of the container, an absolute path."),
  platforms: platformList
    .optional()
    .describe("Platforms to build this service for; overrides the project's platforms."),
  base: base.optional().describe("Base image of this service; overrides the project's base."),
  files: z
    .array(fileEntry)
    .optional()
    .describe(
      "Extra files copied into the image, each as its own layer, so that editing them does not touch the binary's layer.",
    ),
  deploy: deploySettings.optional(),
  live: liveRules.optional(),
  dependsOn: z
    .array(serviceName)
    .optional()
    .describe(
      "Services that must be up (healthy) before this one starts: `dray deploy` and `dray dev` start them first and wait for their health. Not part of the image.",
    ),
};

/** A Go main package that dray compiles. */
export const goServiceSchema = z
  .strictObject({
    go: relativePath("the project root").describe(
      'Directory of the Go main package, relative to the project root, e.g. "./services/api".',
    ),
    context: relativePath("the project root")
      .optional()
      .describe(
        "What may enter the image: files are taken from inside it and symlinks may not leave it. Relative to the project root; default: the project root.",
      ),
    binary: imageFilePath
      .optional()
      .describe("Path of the binary in the image; default /app/<service name>."),
    cgo: z
      .union([z.boolean(), z.literal("dynamic")], {
        error: (iss) => `expected true, false or "dynamic", got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe(
        'Build with cgo (CGO_ENABLED=1). true links the C library in statically (-linkmode external -extldflags -static, tags netgo and osusergo), so the binary starts on any base; "dynamic" links it dynamically and needs a base with the C library and its loader. Default false.',
      ),
    debug: z
      .boolean()
      .optional()
      .describe("Keep symbols and DWARF (no -s -w) so a debugger can attach; default false."),
    ldflags: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Extra -ldflags words, e.g. ["-X=main.version={{.Version}}"]; dray adds its own for reproducibility. Words may use the version stamps {{.Version}}, {{.Commit}}, {{.ShortCommit}} and {{.CommitTime}}.',
      ),
    tags: z
      .array(z.string().regex(/^[^\s,]+$/, { error: "a build tag may not contain spaces or commas" }))
      .optional()
      .describe("Go build tags."),
    ...imageSettings,
  })
  .describe("A Go main package that dray compiles: exactly one of `go` or `command` per service.")
  .meta({ title: "Go service" });

/** Any other build: dray runs a command and packs the directory it produces. */
export const commandServiceSchema = z
  .strictObject({
    command: z
      .union([z.string().min(1), z.array(z.string()).min(1)], {
        error: (iss) =>
          `expected a command string or a list of strings (argv), got ${describeValue(iss.input)}`,
      })
      .describe(
        'The build command: a string runs with sh -c; a list is the argv, e.g. ["node", "build.mjs"].',
      ),
    dir: relativePath("the project root").describe(
      "The service's context and the directory the command runs in, relative to the project root.",
    ),
    output: relativePath("dir")
      .optional()
      .describe('Directory the command produces, relative to dir; default "dist".'),
    to: imagePath.optional().describe("Where the output's contents go in the image; default /app."),
    buildEnv: envMap(
      "Environment for the command; part of the build's inputs. Values may use the version stamps {{.Version}}, {{.Commit}}, {{.ShortCommit}} and {{.CommitTime}}.",
    ).optional(),
    inputs: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Globs relative to dir whose files are the command\'s inputs; "!" excludes. Default ["**/*"].',
      ),
    ...imageSettings,
  })
  .describe("A service built by a command (any language): dray runs it and packs the directory it produces.")
  .meta({ title: "Command service" });

/** Either kind of service; the key `go` or `command` tells which. */
export const serviceSchema = z.union([goServiceSchema, commandServiceSchema]);

const nonEmpty = (services: Record<string, unknown>) => Object.keys(services).length > 0;

/** The whole file, with `service` as the schema of one service (see configFrameSchema for why). */
function configOf<S extends z.ZodType>(service: S) {
  return z.strictObject({
    project: projectName,
    registry: registry.optional(),
    cache: cache.optional(),
    targets: targets.optional(),
    platforms: platformList
      .optional()
      .describe("Platforms every service is built for unless it lists its own; default [linux/amd64]."),
    base: base.optional().describe('Base image of every service unless it sets its own; default "scratch".'),
    sourceDateEpoch: z
      .int()
      .min(0)
      .optional()
      .describe(
        "Seconds since 1970 used for every timestamp in the images. Default: the SOURCE_DATE_EPOCH environment variable, else 0.",
      ),
    services: z
      .record(serviceName, service)
      .refine(nonEmpty, { error: "lists no services — add at least one" })
      .describe(
        'The services, by name (1 to 63 lowercase letters, digits, "-" and "_"). Each has exactly one of `go` (a Go main package) or `command`.',
      )
      .meta({ minProperties: 1 }),
    sbom: sbom.optional(),
    sign: sign.optional(),
  });
}

/**
 * dray.yaml: the contract with the user, and the source of the JSON Schema. The `if`/`then` tells
 * editors what validate.ts checks: a registry cache needs a registry.
 */
export const configSchema = configOf(serviceSchema).meta({
  if: { properties: { cache: { const: "registry" } }, required: ["cache"] },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword; the value is no thenable.
  then: { required: ["registry"] },
});

/**
 * dray.yaml with each service left unchecked. Validation checks the frame with this and each
 * service with the schema of its kind, because a union would answer "matches neither" where the
 * user needs "prots is not a key of a go service".
 */
export const configFrameSchema = configOf(z.unknown());

/** dray.yaml as written, after validation. */
export type UserConfig = z.output<typeof configSchema>;
/** One Go service as written. */
export type GoServiceConfig = z.output<typeof goServiceSchema>;
/** One command service as written. */
export type CommandServiceConfig = z.output<typeof commandServiceSchema>;
/** A base image as written. */
export type BaseConfig = z.output<typeof base>;
/** The `registry` setting as written. */
export type RegistryConfig = z.output<typeof registry>;
/** A file mapping as written. */
export type FileEntryConfig = z.output<typeof fileEntry>;
/** A service's `deploy` setting as written. */
export type DeployConfig = z.output<typeof deploySettings>;
/** The `targets` setting as written. */
export type TargetsConfig = z.output<typeof targets>;
/** A service's `live` setting as written. */
export type LiveConfig = z.output<typeof liveRules>;
