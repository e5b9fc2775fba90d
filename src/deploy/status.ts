/**
 * `dray status`: what runs on a target, where it came from and what was changed there behind
 * dray's back, read from the target alone; and whether the current checkout would change it,
 * from input keys and the build cache (nothing is built). Nothing is locked or changed: drift is
 * read against the record of what dray set, which the target keeps with each service.
 */
import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import { onTarget, selectServices } from "../config/index.js";
import { compareCodeUnits } from "../oci/index.js";
import type { Tracer } from "../report/index.js";
import {
  type CheckoutIdentity,
  type CheckoutVerdict,
  checkoutIdentities,
  checkoutVerdict,
} from "./checkout.js";
import { chooseTarget } from "./choose-target.js";
import { runnable } from "./desired.js";
import type { Drift } from "./drift.js";
import { openTarget } from "./open-target.js";
import type { DeployTarget } from "./types.js";

/** One service as the target runs it. */
export interface ServiceStatus {
  readonly service: string;
  /** False for a service of dray.yaml the target does not run (never deployed, or removed). */
  readonly deployed: boolean;
  /** False for a service that dray.yaml no longer lists, though the target still runs it. */
  readonly inConfig: boolean;
  readonly running: boolean;
  /** "running", "exited (code 137)", "1/3 tasks running", "not on the target". */
  readonly state: string;
  /** The image ID dray deployed (its label), when it did. */
  readonly imageId: string | undefined;
  /** The commit of the checkout that deployed the running version, and whether it was dirty. */
  readonly commit?: string;
  readonly dirty?: boolean;
  /** Since when the version runs (RFC 3339), when the target says. */
  readonly since?: string;
  /** Whether a deploy from the current checkout would change it; absent when not asked. */
  readonly checkout?: CheckoutVerdict;
  /** The image ID of the version `dray rollback` would restore. */
  readonly previousImageId?: string;
  readonly drift: readonly Drift[];
}

/** The services of `project` on an open target: `services` (from dray.yaml) first, then any others it runs. */
export async function statusOf(
  target: DeployTarget,
  project: string,
  services: readonly string[],
  options: { others: boolean; checkout?: ReadonlyMap<string, CheckoutIdentity> } = { others: true },
): Promise<ServiceStatus[]> {
  const live = await target.readLive(project, services);
  const wanted = new Set(services);
  const names = [...new Set([...services, ...(options.others ? live.keys() : [])])].sort(compareCodeUnits);
  return names.map((service) => {
    const found = live.get(service);
    const checkout = options.checkout
      ? { checkout: checkoutVerdict(options.checkout.get(service), found) }
      : {};
    if (!found)
      return {
        service,
        deployed: false,
        inConfig: true,
        running: false,
        state: "not on the target",
        imageId: undefined,
        ...checkout,
        drift: [],
      };
    const version = found.version;
    return {
      service,
      deployed: true,
      inConfig: wanted.has(service),
      running: found.running,
      state: found.state ?? (found.running ? "running" : "not running"),
      imageId: found.imageId,
      ...(version?.commit ? { commit: version.commit, dirty: version.dirty ?? false } : {}),
      ...(found.since ? { since: found.since } : {}),
      ...checkout,
      ...(found.previous ? { previousImageId: found.previous.imageId } : {}),
      drift: found.drift ?? [],
    };
  });
}

/** The status of the project's services (or `only` those) on a target from dray.yaml. */
export async function readStatus(options: {
  config: ResolvedConfig;
  target?: string;
  only: readonly string[];
  env: NodeJS.ProcessEnv;
  tracer?: Tracer;
}): Promise<{ target: TargetConfig; services: ServiceStatus[] }> {
  const { config } = options;
  const target = chooseTarget(config, options.target);
  const selected = selectServices(config, options.only).filter(runnable);
  const services = selected.map((s) => s.name);
  const placed = onTarget(config, target);
  const opened = await openTarget(target, { config: placed, env: options.env });
  try {
    const checkout = await checkoutIdentities(
      placed,
      selected,
      target,
      opened.platform,
      options.env,
      options.tracer,
    );
    return {
      target,
      services: await statusOf(opened, placed.project, services, {
        others: options.only.length === 0,
        checkout,
      }),
    };
  } finally {
    opened.close();
  }
}
