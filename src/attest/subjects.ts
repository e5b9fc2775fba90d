/** The manifests of a service's image that attestations are attached to: the top and, under an index, each platform's. */
import type { CacheEntry } from "../cache/index.js";
import type { Descriptor } from "../oci/index.js";

/** One manifest an SBOM, a provenance statement or a signature is about. */
export interface AttestationSubject {
  descriptor: Descriptor;
  /** Its platform, or undefined for an index. */
  platform: string | undefined;
  /** How documents name it: "api", "api linux/amd64". */
  name: string;
}

/** The top first, then each platform's manifest when the top is an index. */
export function subjectsOf(service: string, entry: CacheEntry): AttestationSubject[] {
  const plain = ({ mediaType, digest, size }: Descriptor): Descriptor => ({ mediaType, digest, size });
  if (entry.platforms.length === 1) {
    return [{ descriptor: plain(entry.top), platform: entry.platforms[0]!.platform, name: service }];
  }
  return [
    { descriptor: plain(entry.top), platform: undefined, name: service },
    ...entry.platforms.map((p) => ({
      descriptor: plain(p.manifest),
      platform: p.platform,
      name: `${service} ${p.platform}`,
    })),
  ];
}

/** The manifests a provenance statement about `subject` names: an index and each of its platform manifests, or one manifest. */
export function provenanceSubjects(
  service: string,
  entry: CacheEntry,
  subject: AttestationSubject,
): { name: string; descriptor: Descriptor }[] {
  if (subject.platform !== undefined) return [{ name: subject.name, descriptor: subject.descriptor }];
  return [
    { name: service, descriptor: subject.descriptor },
    ...entry.platforms.map((p) => ({ name: `${service} ${p.platform}`, descriptor: p.manifest })),
  ];
}
