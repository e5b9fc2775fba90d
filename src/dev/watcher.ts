/**
 * Watching the project with a native watcher (@parcel/watcher: inotify here, FSEvents and
 * ReadDirectoryChangesW elsewhere), ignoring what never feeds a build — .git, .dray, build outputs,
 * node_modules and whatever .gitignore names — and handing over batches after a short quiet time,
 * so that an editor's save (write, rename, chmod) is one change, not three.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import ignore from "ignore";

export interface ChangeBatch {
  /** Absolute paths, each once. */
  readonly files: readonly string[];
  /** When the first event of the batch arrived (performance.now()). */
  readonly firstAt: number;
}

export interface Watcher {
  close(): Promise<void>;
}

const ALWAYS_IGNORED = [".git", ".dray", "node_modules"];

/** Starts watching `root`; `onBatch` gets each batch of changed files after `debounceMs` of quiet. */
export async function watchProject(
  root: string,
  options: { ignoreDirs: readonly string[]; debounceMs?: number },
  onBatch: (batch: ChangeBatch) => void,
): Promise<Watcher> {
  const gitignore = ignore();
  const text = await readFile(path.join(root, ".gitignore"), "utf8").catch(() => "");
  gitignore.add(text);
  const skipDirs = [...ALWAYS_IGNORED.map((d) => path.join(root, d)), ...options.ignoreDirs];
  const skipped = (file: string) => {
    if (skipDirs.some((d) => file === d || file.startsWith(`${d}${path.sep}`))) return true;
    const rel = path.relative(root, file).split(path.sep).join("/");
    return rel === "" || rel.startsWith("..") || gitignore.ignores(rel);
  };

  const { subscribe } = await import("@parcel/watcher");
  let pending = new Set<string>();
  let firstAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const files = [...pending];
    pending = new Set();
    if (files.length > 0) onBatch({ files, firstAt });
  };
  const subscription = await subscribe(
    root,
    (error, events) => {
      if (error) return;
      for (const event of events) {
        if (skipped(event.path)) continue;
        if (pending.size === 0) firstAt = performance.now();
        pending.add(event.path);
      }
      if (pending.size > 0) {
        clearTimeout(timer);
        timer = setTimeout(flush, options.debounceMs ?? 10);
      }
    },
    { ignore: skipDirs },
  );
  return {
    async close() {
      clearTimeout(timer);
      await subscription.unsubscribe();
    },
  };
}
