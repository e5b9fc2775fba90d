/**
 * What `dray promote` may take from the source target: each service running, healthy, undrifted,
 * and deployed by a registry digest (the reference dray recorded on the target). Every refusal is
 * collected, so one run names every service in the way. Pure.
 */
import { type Digest, type ImageReference, isImageReference, parseReference } from "../oci/index.js";
import { formatDrift } from "./drift.js";
import type { LiveService } from "./types.js";

/** A service the source runs, ready to promote: its image by registry digest. */
export interface PromotableService {
  readonly service: string;
  /** The image ID the source target says it runs (its label). */
  readonly imageId: Digest;
  /** Where the source pulled it from, by digest. */
  readonly reference: ImageReference & { digest: Digest };
}

/** One reason a service cannot be promoted. */
export interface Refusal {
  readonly service: string;
  readonly reason: string;
}

/** Drift that means the source does not run what dray deployed: another image, or not running. */
const DISQUALIFYING = new Set(["image", "state", "container"]);

/** The promotable services among `services`, or why each of the others is not. */
export function checkPromotable(
  services: readonly string[],
  live: ReadonlyMap<string, LiveService>,
  source: string,
): { ok: PromotableService[]; refused: Refusal[] } {
  const ok: PromotableService[] = [];
  const refused: Refusal[] = [];
  for (const service of services) {
    const found = live.get(service);
    const refuse = (reason: string) => refused.push({ service, reason });
    if (!found) {
      refuse(`is not on target ${source}`);
      continue;
    }
    const drift = (found.drift ?? []).filter((d) => DISQUALIFYING.has(d.field));
    if (!found.running)
      refuse(`is ${found.state ?? "not running"} on target ${source}, not running and healthy`);
    else if (drift.length > 0) refuse(`drifted on target ${source}: ${drift.map(formatDrift).join(", ")}`);
    else if (found.imageId === undefined)
      refuse(`on target ${source} was not deployed by dray (no image ID)`);
    else {
      const reference = byDigest(found.image);
      if (reference) ok.push({ service, imageId: found.imageId, reference });
      else if (found.image === undefined)
        refuse(
          `on target ${source} has no record of the image reference it runs (docker and swarm targets keep one)`,
        );
      else
        refuse(
          `on target ${source} runs ${found.image} loaded from this machine's build, not pulled from a registry by digest`,
        );
    }
  }
  return { ok, refused };
}

function byDigest(image: string | undefined): (ImageReference & { digest: Digest }) | undefined {
  if (image === undefined || !isImageReference(image)) return undefined;
  const reference = parseReference(image);
  return reference.digest === undefined ? undefined : { ...reference, digest: reference.digest };
}
