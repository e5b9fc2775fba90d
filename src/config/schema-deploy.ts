/**
 * The deploy parts of dray.yaml: how each service runs (`deploy:` under a service) and where it
 * runs (`targets:` at the top). Everything under a service's `deploy` is part of its deploy-spec
 * digest, so changing it redeploys that service even when its image is the same.
 */
import * as z from "zod";
import { describeValue } from "./issue-messages.js";
import { DURATION_PATTERN, MEMORY_PATTERN, PUBLISH_PATTERN } from "./patterns.js";
import { envMap, projectName, relativePath, serviceName } from "./schema-fields.js";
import { registry } from "./schema-registry.js";
import { targetPolicy } from "./schema-supply-chain.js";

type Issue = { readonly input?: unknown };

export const duration = z
  .union([z.number().positive(), z.string().regex(DURATION_PATTERN)], {
    error: (iss: Issue) =>
      `${describeValue(iss.input)} is not a duration — write e.g. "500ms", "30s", "2m" or a number of seconds`,
  })
  .describe('A duration: "500ms", "30s", "2m", or a number of seconds.');

const portNumber = z.int().min(1).max(65535);

const publishEntry = z
  .union([portNumber, z.string().regex(PUBLISH_PATTERN)], {
    error: (iss: Issue) =>
      `${describeValue(iss.input)} is not a published port — write "HOST:CONTAINER" (e.g. "18080:8080"), "PORT", or a number`,
  })
  .describe(
    'A port published on the target\'s bind address: "HOST:CONTAINER", "PORT" (same on both), optionally "/udp".',
  );

const health = z
  .strictObject({
    http: z
      .string()
      .regex(/^\//, { error: 'an HTTP health path starts with "/", e.g. "/healthz"' })
      .optional()
      .describe("GET this path on the service; 2xx or 3xx is healthy."),
    port: portNumber.optional().describe("Port of the HTTP check; default the service's first port."),
    command: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'A command the engine runs inside the container; exit 0 is healthy, e.g. ["/app/api", "healthcheck"].',
      ),
    interval: duration.optional().describe('Time between checks; default "1s".'),
    timeout: duration
      .optional()
      .describe(
        'How long a new version may take to become healthy before the deploy fails it; default "60s".',
      ),
  })
  .describe("How dray knows a new version is up: an HTTP path, a command run in the container, or both.");

const memoryProblem = (iss: Issue) =>
  `${describeValue(iss.input)} is not a memory size — write e.g. "256Mi", "1Gi" or a number of bytes`;

const resources = z
  .strictObject({
    memory: z
      .union([z.int().positive(), z.string().regex(MEMORY_PATTERN, { error: memoryProblem })], {
        error: memoryProblem,
      })
      .optional()
      .describe('Memory limit: "256Mi", "1Gi" (binary units) or a number of bytes.'),
    cpus: z.number().positive().optional().describe("CPU limit in cores, e.g. 0.5."),
  })
  .describe(
    "Resource limits: docker and swarm set them on the container or task; Kubernetes sets requests and limits to them.",
  );

/** `deploy:` under a service. */
export const deploySettings = z
  .strictObject({
    replicas: z.int().min(0).optional().describe("Copies to run on swarm and Kubernetes; default 1."),
    publish: z.array(publishEntry).optional().describe("Ports published on the target's bind address."),
    health: health.optional(),
    restart: z
      .enum(["no", "always", "unless-stopped", "on-failure"])
      .optional()
      .describe('Restart policy on a docker target; default "unless-stopped".'),
    env: envMap("Environment set when the service runs, on top of the image's.").optional(),
    resources: resources.optional(),
  })
  .describe("How the service runs on a target; a change here redeploys it even when the image is the same.");

/**
 * What every kind of target may set besides its own fields: the target it extends (expanded before
 * validation, see expand-targets.ts), per-service deploy overrides, and its own registry.
 */
const targetCommon = {
  extends: z
    .string()
    .optional()
    .describe(
      "Another target this one is built on: its fields are inherited, maps (env, services…) merged key by key, anything else set here replaces.",
    ),
  services: z
    .record(serviceName, deploySettings)
    .optional()
    .describe(
      "Per-service deploy settings on this target (replicas, env, resources, publish, health, restart), laid over the service's own `deploy:` — maps merged, anything else replaced.",
    ),
  registry: registry
    .optional()
    .describe(
      "The registry this target's images are pushed to and pulled from; default the project's `registry`. `dray promote` copies images between the registries of two targets.",
    ),
};

/** The project's name on a docker or swarm target, so that two targets can share one engine. */
const targetProject = projectName
  .optional()
  .describe(
    "The project's name on this target: containers are `<project>-<service>`, labels `dray.project`, and the default network is named after it. Default the project's name; set it when two targets share one engine.",
  );

const host = z
  .string()
  .regex(/^(unix|tcp):\/\/./, { error: 'an engine address starts with "unix://" or "tcp://"' })
  .optional()
  .describe(
    "Engine address, e.g. unix:///run/podman/podman.sock; default DOCKER_HOST, else the local socket.",
  );

const network = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, { error: "a network name is letters, digits, '_', '.' and '-'" })
  .optional()
  .describe("Network every service joins; default the project's name.");

const dockerTarget = z
  .strictObject({
    type: z.literal("docker"),
    ...targetCommon,
    project: targetProject,
    host,
    network,
    bind: z.ipv4().optional().describe("Address published ports bind to; default 127.0.0.1."),
    require: targetPolicy.optional(),
  })
  .describe("A Docker (or Podman) engine: each service runs as one container.");

const swarmTarget = z
  .strictObject({
    type: z.literal("swarm"),
    ...targetCommon,
    project: targetProject,
    host,
    network,
    update: z
      .strictObject({
        parallelism: z.int().min(1).optional().describe("Tasks updated at once; default 1."),
        order: z.enum(["start-first", "stop-first"]).optional().describe('Default "start-first".'),
        monitor: duration
          .optional()
          .describe('How long swarm watches an updated task for failure; default "5s".'),
      })
      .optional()
      .describe("Rolling update settings; failures roll back."),
    publish: z
      .enum(["ingress", "host"])
      .optional()
      .describe(
        'How published ports reach tasks: "ingress" (the routing mesh; default) or "host" (the node running the task).',
      ),
    require: targetPolicy.optional(),
  })
  .describe("A Docker Swarm manager: each service is a swarm service run by image digest.");

const kubernetesTarget = z
  .strictObject({
    type: z.literal("kubernetes"),
    ...targetCommon,
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "a namespace is lowercase letters, digits and '-'" })
      .optional()
      .describe('Namespace; default "default".'),
    context: z.string().min(1).optional().describe("kubeconfig context; default the current one."),
    kubeconfig: z
      .string()
      .min(1, { error: "must not be empty" })
      .regex(/^[^\0]*$/, {
        error: (iss: Issue) => `${describeValue(iss.input)} holds a NUL character, which no path can`,
      })
      .optional()
      .describe(
        "kubeconfig file (only read): absolute, ~/…, or relative to the project root; default KUBECONFIG, else ~/.kube/config, else the pod's service account.",
      ),
    manifests: relativePath("the project root")
      .optional()
      .describe(
        'Your own manifests (a YAML file or directory, e.g. kustomize output); images named "dray://<service>" are replaced by digests.',
      ),
    progressDeadline: duration.optional().describe('How long a rollout may take; default "120s".'),
    createNamespace: z
      .boolean()
      .optional()
      .describe("Create the namespace when it does not exist (server-side apply); default true."),
    podSecurity: z
      .enum(["restricted", "none"])
      .optional()
      .describe(
        'Generated pods meet the Pod Security "restricted" profile when the image runs as a numeric non-root user; "none" leaves security settings to the cluster. Default "restricted".',
      ),
    require: targetPolicy.optional(),
  })
  .describe("A Kubernetes cluster: Deployments and Services applied server-side (field manager dray).");

/** One named target. */
export const target = z
  .discriminatedUnion("type", [dockerTarget, swarmTarget, kubernetesTarget], {
    error: (iss: Issue) =>
      `expected a target with type docker, swarm or kubernetes, got ${describeValue(iss.input)}`,
  })
  .describe("Where `dray deploy --target NAME` sends the services.");

/** `targets:` at the top of dray.yaml. */
export const targets = z
  .record(
    z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
      error: "a target name is lowercase letters, digits, '-' and '_'",
    }),
    target,
  )
  .describe(
    'Deploy targets by name; the first is the default. Default: one docker target "local" on the local engine.',
  );

const syncRule = z
  .union([
    z.string().regex(/^([^:]+):(\/.*)$/, {
      error: 'a sync rule is "from:to" with an absolute "to", e.g. "static:/srv/static"',
    }),
    z.strictObject({
      from: relativePath("the project root").describe(
        "A file or directory on the host, relative to the project root.",
      ),
      to: z
        .string()
        .regex(/^\//, { error: 'a container path starts with "/"' })
        .describe("Where it goes in the container."),
    }),
  ])
  .describe('Files copied into the running container when they change: "from:to" or { from, to }.');

/** `live:` under a service: how `dray dev` updates it in place instead of rebuilding. */
export const liveRules = z
  .strictObject({
    sync: z
      .array(syncRule)
      .optional()
      .describe("Host paths copied into the running container when they change."),
    run: z
      .array(z.array(z.string().min(1)).min(1))
      .optional()
      .describe(
        'Commands run in the container after copying, e.g. [["/app/migrate"]]; they need the program in the image.',
      ),
    restart: z
      .boolean()
      .optional()
      .describe(
        "Restart the container's process after an update; default true (Go services always restart after a new binary).",
      ),
  })
  .describe(
    "Live-update rules for dray dev. Go services need none: their binary is compiled on the host, copied in and restarted.",
  );
