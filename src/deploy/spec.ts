/**
 * The deploy spec and its digest: everything about how a service runs that is not in its image.
 * Together with the image ID it is the service's deployed identity; the target's own settings that
 * shape a running service (network, bind address, update order) are hashed in too, so changing
 * them redeploys.
 */
import { createHash } from "node:crypto";
import type { ResolvedConfig, ResolvedService, TargetConfig } from "../config/index.js";
import type { Digest } from "../oci/index.js";
import { canonicalJson } from "../oci/index.js";
import type { DeploySpec } from "./types.js";

/** `target`: where it runs, whose per-service overrides (`targets.X.services`) replace its `deploy:`. */
export function deploySpec(
  config: ResolvedConfig,
  service: ResolvedService,
  target?: TargetConfig,
): DeploySpec {
  const { entrypoint, args, env, ports, user, workdir } = service.image;
  return {
    service: service.name,
    project: config.project,
    image: { entrypoint, args, env, ports, user, workdir },
    deploy: target?.services?.[service.name] ?? service.deploy,
  };
}

/**
 * The parts of a target that change how its services run; its name and address do not. Neither do
 * its registry (the image ID is compared), its project name (a new name is a new set of services)
 * or its per-service overrides (they are in the overridden service's own spec, so changing one
 * redeploys that service only).
 */
function targetShape(target: TargetConfig): Record<string, unknown> {
  const { name: _name, project: _p, registry: _r, services: _s, ...rest } = target;
  if (rest.kind === "kubernetes") {
    // Where the cluster is and whether dray may create the namespace do not change the pods;
    // podSecurity does.
    const { context: _c, kubeconfig: _k, createNamespace: _n, ...shape } = rest;
    return shape;
  }
  const { host: _host, ...shape } = rest;
  return shape;
}

/** `extra`: anything else the target runs the service from, e.g. the digest of the user's own manifests. */
export function specDigest(spec: DeploySpec, target: TargetConfig, extra?: string): Digest {
  const text = canonicalJson({ spec, target: targetShape(target), ...(extra ? { extra } : {}) });
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}
