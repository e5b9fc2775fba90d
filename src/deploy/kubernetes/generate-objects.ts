/**
 * Generated mode: a Deployment (and a ClusterIP Service when the service has ports) per dray
 * service, from its image and deploy settings. Pure: same input, same objects.
 */
import type { HealthCheck, KubernetesTargetConfig } from "../../config/index.js";
import { UserError } from "../../errors/index.js";
import type { DesiredService } from "../types.js";
import { KUBE_KEYS, type KubeObject } from "./objects.js";

/** The objects of one service, Deployment first. */
export interface ServiceObjects {
  readonly service: string;
  readonly objects: readonly KubeObject[];
}

/** Renders every service of `desired` into Kubernetes objects for `config`'s namespace. */
export function renderServices(
  project: string,
  config: KubernetesTargetConfig,
  desired: readonly DesiredService[],
): ServiceObjects[] {
  return [...desired]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((service) => ({ service: service.name, objects: renderService(project, config, service) }));
}

/** The Deployment and, with ports, the Service of one dray service. */
export function renderService(
  project: string,
  config: KubernetesTargetConfig,
  desired: DesiredService,
): KubeObject[] {
  checkName(desired.name);
  const ports = desired.spec.image.ports.map(parsePort);
  const deployment = renderDeployment(project, config, desired, ports);
  if (ports.length === 0) return [deployment];
  return [deployment, renderClusterService(project, config, desired.name, ports)];
}

/** The selector labels: stable for the Deployment's life, because `spec.selector` is immutable. */
export function selectorLabels(project: string, service: string): Record<string, string> {
  return { "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": project };
}

/** The labels on every object dray generates; readLive selects on `dray.dev/project`. */
export function objectLabels(project: string, service: string): Record<string, string> {
  return {
    ...selectorLabels(project, service),
    "app.kubernetes.io/managed-by": "dray",
    [KUBE_KEYS.project]: project,
    [KUBE_KEYS.service]: service,
  };
}

/** The annotations that carry a service's identity (image ID, spec digest). */
export function identityAnnotations(desired: DesiredService): Record<string, string> {
  return { [KUBE_KEYS.imageId]: desired.imageId, [KUBE_KEYS.specDigest]: desired.specDigest };
}

interface Port {
  readonly number: number;
  readonly protocol: "TCP" | "UDP";
  /** IANA_SVC_NAME: at most 15 characters, needed once a Service has more than one port. */
  readonly name: string;
}

function renderDeployment(
  project: string,
  config: KubernetesTargetConfig,
  desired: DesiredService,
  ports: readonly Port[],
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: desired.name,
      namespace: config.namespace,
      labels: objectLabels(project, desired.name),
      // On the Deployment only: on the pod template a spec-digest change alone would restart
      // every pod, while the changes that matter (image, env, ports) change the template anyway.
      annotations: identityAnnotations(desired),
    },
    spec: {
      replicas: desired.spec.deploy.replicas,
      progressDeadlineSeconds: config.progressDeadlineSeconds,
      selector: { matchLabels: selectorLabels(project, desired.name) },
      template: {
        metadata: {
          labels: { ...selectorLabels(project, desired.name), "app.kubernetes.io/managed-by": "dray" },
        },
        spec: { containers: [renderContainer(desired, ports, config.podSecurity)] },
      },
    },
  };
}

function renderContainer(
  desired: DesiredService,
  ports: readonly Port[],
  podSecurity: KubernetesTargetConfig["podSecurity"],
): Record<string, unknown> {
  const { image, deploy } = desired.spec;
  const env = { ...image.env, ...deploy.env };
  const container: Record<string, unknown> = { name: desired.name, image: desired.image };
  if (image.entrypoint) container["command"] = [...image.entrypoint];
  if (image.args) container["args"] = [...image.args];
  const names = Object.keys(env).sort();
  if (names.length > 0) container["env"] = names.map((name) => ({ name, value: env[name] }));
  if (ports.length > 0) {
    container["ports"] = ports.map((p) => ({ name: p.name, containerPort: p.number, protocol: p.protocol }));
  }
  if (deploy.health) {
    const probe = renderProbe(deploy.health);
    if (probe) container["readinessProbe"] = probe;
  }
  if (deploy.resources) {
    // Requests equal to limits: the pod is scheduled for exactly what it may use.
    const quantities: Record<string, string> = {};
    if (deploy.resources.memoryBytes !== undefined)
      quantities["memory"] = String(deploy.resources.memoryBytes);
    if (deploy.resources.cpus !== undefined)
      quantities["cpu"] = `${Math.round(deploy.resources.cpus * 1000)}m`;
    container["resources"] = { requests: quantities, limits: { ...quantities } };
  }
  const securityContext = renderSecurityContext(desired.user ?? image.user, podSecurity);
  if (securityContext) container["securityContext"] = securityContext;
  return container;
}

function renderProbe(health: HealthCheck): Record<string, unknown> | undefined {
  const periodSeconds = Math.max(1, Math.ceil(health.intervalMs / 1000));
  if (health.http) {
    return { httpGet: { path: health.http.path, port: health.http.port }, periodSeconds };
  }
  if (health.command) return { exec: { command: [...health.command] }, periodSeconds };
  return undefined;
}

/**
 * Only a numeric user can be enforced by Kubernetes; a name is resolved by the image's /etc/passwd.
 * A numeric user other than root also lets the pod meet the Pod Security `restricted` profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted), which a
 * namespace may enforce: the kubelet can check runAsNonRoot, and a Go binary needs no privilege
 * escalation, no capability and no syscall outside the runtime's default seccomp profile.
 */
function renderSecurityContext(
  user: string | undefined,
  podSecurity: KubernetesTargetConfig["podSecurity"],
): Record<string, unknown> | undefined {
  const match = user === undefined ? null : /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) return undefined;
  const context: Record<string, unknown> = { runAsUser: Number(match[1]) };
  if (match[2] !== undefined) context["runAsGroup"] = Number(match[2]);
  if (podSecurity === "restricted" && Number(match[1]) !== 0) {
    context["runAsNonRoot"] = true;
    context["allowPrivilegeEscalation"] = false;
    context["capabilities"] = { drop: ["ALL"] };
    context["seccompProfile"] = { type: "RuntimeDefault" };
  }
  return context;
}

function renderClusterService(
  project: string,
  config: KubernetesTargetConfig,
  service: string,
  ports: readonly Port[],
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: service, namespace: config.namespace, labels: objectLabels(project, service) },
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(project, service),
      ports: ports.map((p) => ({ name: p.name, port: p.number, targetPort: p.number, protocol: p.protocol })),
    },
  };
}

function parsePort(port: string): Port {
  const [number, protocol = "tcp"] = port.split("/");
  const proto = protocol.toLowerCase() === "udp" ? "UDP" : "TCP";
  return { number: Number(number), protocol: proto, name: `${proto.toLowerCase()}-${number}` };
}

/** Object names must be DNS-1123 labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/). */
function checkName(service: string): void {
  if (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(service)) return;
  throw new UserError(`service name "${service}" cannot name a Kubernetes Deployment`, {
    hint: "Kubernetes names are at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit; rename the service in dray.yaml.",
  });
}
