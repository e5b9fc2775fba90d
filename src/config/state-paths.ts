/**
 * Where dray keeps its own state in a project: everything lives under `<root>/.dray`, resolved once
 * here so that no other code joins ".dray" paths by hand. dray writes and deletes only below these.
 */
import path from "node:path";

/** The folders of `<root>/.dray`, absolute. */
export interface StatePaths {
  /** `.dray` itself. */
  readonly dir: string;
  /** The OCI image layout every build writes into. */
  readonly layout: string;
  /** The build cache: entries by input key, stat and `go list` caches, the resolved config. */
  readonly cache: string;
  /** Registry base images pulled by their pinned digest. */
  readonly bases: string;
  /** Dev mode: compiled binaries and the supervisor. */
  readonly dev: string;
  /** Deploy locks, one file per target. */
  readonly locks: string;
  /** Scratch space for builds; nothing in it outlives the run that made it. */
  readonly tmp: string;
}

/** The state folders of the project rooted at `root`. */
export function statePaths(root: string): StatePaths {
  const dir = path.join(root, ".dray");
  return {
    dir,
    layout: path.join(dir, "oci"),
    cache: path.join(dir, "cache"),
    bases: path.join(dir, "bases"),
    dev: path.join(dir, "dev"),
    locks: path.join(dir, "locks"),
    tmp: path.join(dir, "tmp"),
  };
}
