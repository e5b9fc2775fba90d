/** Which services a batch of file changes reaches, by content: a save that changed nothing reaches none. */
import type { InputIndex } from "./input-index.js";
import { contentHash, relativeTo } from "./input-index.js";

const GO_INPUT = /\.go$|(^|\/)go\.(mod|sum)$/;

/**
 * Service name → the changed files it is built from. Each file's hash is recorded as seen now —
 * what the service will run once updated — so a second event for the same content (editors write
 * in steps) adds no update. A Go file no
 * service knows yet may join a package some service links: `relist` asks go list again first.
 */
export async function servicesReached(
  files: readonly string[],
  root: string,
  index: () => InputIndex,
  relist: () => Promise<void>,
): Promise<Map<string, Set<string>>> {
  const reached = new Map<string, Set<string>>();
  const add = (service: string, file: string) => {
    if (!reached.has(service)) reached.set(service, new Set());
    reached.get(service)!.add(file);
  };
  const unknown: string[] = [];
  for (const file of files) {
    const rel = relativeTo(root, file);
    const owners = index().servicesOf(rel);
    if (owners.length === 0) {
      if (GO_INPUT.test(rel)) unknown.push(file);
      continue;
    }
    const hash = await contentHash(file);
    if (hash === index().hashOf(rel)) continue;
    if (hash) index().remember(rel, hash);
    for (const owner of owners) add(owner, file);
  }
  if (unknown.length > 0) {
    // The new listing hashes these files as they are now: each counts for the services that gained it.
    await relist();
    for (const file of unknown)
      for (const owner of index().servicesOf(relativeTo(root, file))) add(owner, file);
  }
  return reached;
}
