/**
 * The resolved, read-only configuration every later stage uses. The user's dray.yaml
 * (all optional, documented in the schema) is validated and resolved into these types once.
 */
import type { Digest, Platform } from "../oci/index.js";

import type { StatePaths } from "./state-paths.js";

/** A place in dray.yaml: keys and list indexes from the top, e.g. ["services", "api", "ports", 0]. */
export type ConfigPath = readonly (string | number)[];

/** Where a service's base image comes from. */
export type BaseRef =
  | { kind: "scratch" }
  /** An image in a local OCI image layout directory, by its `org.opencontainers.image.ref.name`. */
  | { kind: "layout"; layout: string; ref: string }
  /**
   * An image in a registry. Builds pull it by digest: the one written in the reference, else the
   * one dray.lock holds for `image`; a tag is never resolved by a build on its own.
   */
  | {
      kind: "registry";
      /** The reference as written in dray.yaml: the key of its entry in dray.lock. */
      image: string;
      /** "127.0.0.1:5000". */
      registry: string;
      /** "base/static". */
      repository: string;
      /** The tag as written; "latest" when neither a tag nor a digest is written. */
      tag?: string;
      /** Written in the reference: the base is pinned already and needs no lock entry. */
      digest?: Digest;
      insecure: boolean;
      /** Absolute path of a PEM CA bundle to trust for this registry. */
      caFile?: string;
    };

/** A base image in a registry. */
export type RegistryBase = Extract<BaseRef, { kind: "registry" }>;

/** Where images are pushed: each service's to `<url>/<service>`. */
export interface RegistryTarget {
  /** As written: "127.0.0.1:5000/shop". */
  readonly url: string;
  /** Host and port: "127.0.0.1:5000". */
  readonly registry: string;
  /** The path below the host, "" when none: "shop". */
  readonly namespace: string;
  /** Plain HTTP and no TLS verification. */
  readonly insecure: boolean;
  /** Absolute path of a PEM CA bundle to trust for this registry. */
  readonly caFile?: string;
}

/** Where the build cache lives: only in `.dray`, or also in the registry so machines share it. */
export type CacheMode = "local" | "registry";

/** A directory or file copied into the image as its own layer. */
export interface FileMapping {
  /** Absolute path on the host, inside the service's context. */
  from: string;
  /** Absolute path in the image. */
  to: string;
}

/** Settings that end up in the image config. */
export interface ImageSettings {
  entrypoint: string[] | undefined;
  args: string[] | undefined;
  env: Readonly<Record<string, string>>;
  /** e.g. "8080/tcp" */
  ports: readonly string[];
  user: string | undefined;
  labels: Readonly<Record<string, string>>;
  workdir: string | undefined;
}

/** How dray decides that a deployed service is up. */
export interface HealthCheck {
  /** GET this path on the service's port; healthy on a 2xx/3xx answer. */
  readonly http: { readonly path: string; readonly port: number } | undefined;
  /** Run by the engine inside the container (Docker HEALTHCHECK, Kubernetes exec probe); exit 0 = healthy. */
  readonly command: readonly string[] | undefined;
  /** Milliseconds between probes. */
  readonly intervalMs: number;
  /** Milliseconds a new version may take to become healthy before the deploy fails it. */
  readonly timeoutMs: number;
}

/** How `dray dev` updates a running container in place (`live:` in dray.yaml). */
export interface LiveRules {
  /** Host paths (absolute) copied to container paths when their content changes. */
  readonly sync: readonly { readonly from: string; readonly to: string }[];
  /** Commands run in the container after copying. */
  readonly run: readonly (readonly string[])[];
  /** Restart the container's process after an update. */
  readonly restart: boolean;
}

/** A container port published on the target's bind address. */
export interface PublishedPort {
  readonly container: number;
  readonly host: number;
  readonly protocol: "tcp" | "udp";
}

/** How a service runs on a target (`deploy:` in dray.yaml); part of the deploy-spec digest. */
export interface DeploySettings {
  readonly replicas: number;
  readonly publish: readonly PublishedPort[];
  readonly health: HealthCheck | undefined;
  readonly restart: "no" | "always" | "unless-stopped" | "on-failure";
  /** Extra environment set at deploy time, on top of the image's. */
  readonly env: Readonly<Record<string, string>>;
  /** Resource limits; absent when none is written (so specs without them hash as before). */
  readonly resources?: { readonly memoryBytes?: number; readonly cpus?: number };
}

/** What every kind of target may set besides its own fields; each is absent when not written. */
export interface TargetCommon {
  /** The project's name on this target (docker, swarm): labels, container names, default network. */
  readonly project?: string;
  /** The registry this target's images are pushed to and pulled from, instead of the project's. */
  readonly registry?: RegistryTarget;
  /** The deploy settings of each service overridden on this target, resolved in full. */
  readonly services?: Readonly<Record<string, DeploySettings>>;
}

/** A docker engine (local or remote) that runs each service as one container. */
export interface DockerTargetConfig extends TargetCommon {
  readonly name: string;
  readonly kind: "docker";
  /** Engine address; undefined = DOCKER_HOST, else unix:///var/run/docker.sock. */
  readonly host: string | undefined;
  /** Network every service of the project joins; default "<project>". */
  readonly network: string;
  /** Address published ports bind to; default 127.0.0.1. */
  readonly bind: string;
}

/** A Docker Swarm manager: each service is a swarm service run by `image@digest`. */
export interface SwarmTargetConfig extends TargetCommon {
  readonly name: string;
  readonly kind: "swarm";
  readonly host: string | undefined;
  /** Overlay network every service joins; default "<project>". */
  readonly network: string;
  readonly update: {
    readonly parallelism: number;
    readonly order: "start-first" | "stop-first";
    /** How long swarm watches each updated task for failure, in milliseconds. */
    readonly monitorMs: number;
  };
  /**
   * How published ports reach tasks: "ingress" (swarm's routing mesh, any node) or "host" (the
   * node running the task; needed where the kernel lacks IPVS for the mesh).
   */
  readonly publish: "ingress" | "host";
}

/** A Kubernetes cluster: Deployments and Services applied server-side. */
export interface KubernetesTargetConfig extends TargetCommon {
  readonly name: string;
  readonly kind: "kubernetes";
  readonly namespace: string;
  /** kubeconfig context; undefined = the current one. */
  readonly context: string | undefined;
  /**
   * The kubeconfig file: absolute, or starting with "~" (expanded with $HOME when the target
   * opens, so the resolved config does not depend on who reads it); undefined = KUBECONFIG,
   * else ~/.kube/config, else the pod's service account.
   */
  readonly kubeconfig: string | undefined;
  /** Absolute path of the user's own manifests (a file or directory of YAML); undefined = generated. */
  readonly manifests: string | undefined;
  readonly progressDeadlineSeconds: number;
  /** Create the namespace when it is missing (default) or fail naming it. */
  readonly createNamespace: boolean;
  /** "restricted": generated pods meet that Pod Security profile when the image allows it. */
  readonly podSecurity: "restricted" | "none";
}

/** The SBOM format pushes attach, or false. */
export type SbomFormatSetting = "spdx" | "cyclonedx" | false;

/** What an image must satisfy before it is deployed to a target. */
export interface TargetPolicy {
  /** Absolute path of the PEM public key its signature must verify with. */
  readonly signedBy: string;
}

/** Where `dray deploy` sends services. */
export type TargetConfig = DockerTargetConfig | SwarmTargetConfig | KubernetesTargetConfig;

interface ServiceCommon {
  readonly name: string;
  /** Absolute path of the service's context: nothing outside it enters the image. */
  readonly context: string;
  readonly platforms: readonly Platform[];
  readonly base: BaseRef;
  readonly image: ImageSettings;
  readonly files: readonly FileMapping[];
  /** Annotations on the image's manifest (and index): `org.opencontainers.image.revision`, `.source`, `.version`… */
  readonly annotations: Readonly<Record<string, string>>;
  readonly deploy: DeploySettings;
  readonly live: LiveRules;
  /** Services that must be healthy before this one starts (`dependsOn`), sorted; not part of the image or its spec. */
  readonly dependsOn: readonly string[];
}

/** A Go main package compiled by dray. */
export interface GoService extends ServiceCommon {
  readonly kind: "go";
  /** The package as written in dray.yaml, relative to the project root, e.g. "./services/api". */
  readonly package: string;
  /** Absolute directory of the main package. */
  readonly packageDir: string;
  /** Where the binary goes in the image, e.g. "/app/api". */
  readonly binaryPath: string;
  readonly cgo: boolean;
  /** How a cgo binary is linked: "static" (`cgo: true`) or "dynamic" (`cgo: dynamic`); "static" without cgo. */
  readonly link: "static" | "dynamic";
  /** Keep symbols and DWARF (no `-s -w`). */
  readonly debug: boolean;
  readonly ldflags: readonly string[];
  readonly tags: readonly string[];
}

/** Any language: dray runs a command and packs the directory it produces. */
export interface CommandService extends ServiceCommon {
  readonly kind: "command";
  /** argv; a string in dray.yaml becomes ["sh", "-c", string]. */
  readonly command: readonly string[];
  /** Absolute path of the directory the command produces. */
  readonly output: string;
  /** Where the output directory's contents go in the image. */
  readonly to: string;
  /** Extra environment for the command (declared, so it can be part of the input key). */
  readonly buildEnv: Readonly<Record<string, string>>;
  /** Globs (relative to the context) whose files are the command's inputs. */
  readonly inputs: readonly string[];
}

/** Either kind of service; `kind` tells which. */
export type ResolvedService = GoService | CommandService;

/** dray.yaml after validation and resolution: what every later stage reads, frozen. */
export interface ResolvedConfig {
  /** Absolute path of the directory holding dray.yaml. */
  readonly root: string;
  /** Absolute path of dray.yaml. */
  readonly file: string;
  /** dray's own folders under `<root>/.dray`, resolved once. */
  readonly state: StatePaths;
  readonly project: string;
  /** Where images are pushed; undefined when dray.yaml names no registry. */
  readonly registry?: RegistryTarget;
  /** "registry" only with a registry: validation requires it. */
  readonly cache: CacheMode;
  /** Seconds since the epoch used for every timestamp in images (SOURCE_DATE_EPOCH, else 0). */
  readonly sourceDateEpoch: number;
  /** Sorted by name. */
  readonly services: readonly ResolvedService[];
  /** In file order; when dray.yaml has none, one docker target named "local". */
  readonly targets: readonly TargetConfig[];
  /** The SBOM format `dray push` attaches with provenance (`sbom:`); false for neither. */
  readonly sbom: SbomFormatSetting;
  /** The key pushes are signed with (`sign:`), an absolute path; undefined when none is named. */
  readonly sign?: { readonly key: string };
  /** Deploy policies (`require:` under a target), by target name. */
  readonly policies: Readonly<Record<string, TargetPolicy>>;
  /**
   * Where a setting is written, as shown to the user: `locate(["services", "api", "go"])` gives
   * e.g. "dray.yaml:9:9", so a later stage (a package that is not `main`) can point at the line.
   * A path that is not in the file (a default) gives the nearest enclosing key that is.
   */
  readonly locate: (path: ConfigPath) => string;
  /**
   * The git values the version stamps were rendered with (`{{.Version}}`…); present only when some
   * setting uses one.
   */
  readonly stamps?: Readonly<Record<"Version" | "Commit" | "ShortCommit" | "CommitTime", string>>;
}
