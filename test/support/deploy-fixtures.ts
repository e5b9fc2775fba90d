/** Desired services and apply contexts for tests of the deploy targets, with plain defaults. */
import type { DeploySettings, KubernetesTargetConfig } from "../../src/config/types.js";
import type { ApplyContext, DeploySpec, DesiredService } from "../../src/deploy/types.js";
import type { Digest } from "../../src/oci/types.js";
import { digest } from "./digest.js";

export interface DesiredOverrides {
  project?: string;
  imageId?: Digest;
  image?: string;
  specDigest?: Digest;
  /** The image's own settings (entrypoint, env, ports…). */
  settings?: Partial<DeploySpec["image"]>;
  deploy?: Partial<DeploySettings>;
}

/**
 * What a target would be asked to run as `name`: by default no command, env, ports or health,
 * one replica restarted unless stopped, image `reg.test/<project>/<name>@sha256:2…`.
 */
export function desiredService(name: string, o: DesiredOverrides = {}): DesiredService {
  const project = o.project ?? "shop";
  return {
    name,
    imageId: o.imageId ?? digest("1"),
    image: o.image ?? `reg.test/${project}/${name}@${digest("2")}`,
    specDigest: o.specDigest ?? digest("3"),
    spec: {
      service: name,
      project,
      image: {
        entrypoint: undefined,
        args: undefined,
        env: {},
        ports: [],
        user: undefined,
        workdir: undefined,
        ...o.settings,
      },
      deploy: {
        replicas: 1,
        publish: [],
        health: undefined,
        restart: "unless-stopped",
        env: {},
        ...o.deploy,
      },
    },
  };
}

/** A context that runs every step and records progress lines ("api: …") and steps ("api create"). */
export function recordingContext(lines: string[] = [], steps: string[] = []): ApplyContext {
  return {
    signal: new AbortController().signal,
    log: (service, line) => lines.push(`${service}: ${line}`),
    step: (service, name, fn) => {
      steps.push(`${service} ${name}`);
      return fn();
    },
  };
}

/** A Kubernetes target "prod" on namespace "shop" with every setting at its default. */
export function kubernetesTarget(over: Partial<KubernetesTargetConfig> = {}): KubernetesTargetConfig {
  return {
    name: "prod",
    kind: "kubernetes",
    namespace: "shop",
    context: undefined,
    kubeconfig: undefined,
    manifests: undefined,
    progressDeadlineSeconds: 120,
    createNamespace: true,
    podSecurity: "restricted",
    ...over,
  };
}
