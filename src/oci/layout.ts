/**
 * An OCI image layout on disk: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 * Blobs are content-addressed and written with temp file + fsync + rename, so a reader never sees half a
 * blob; index.json is rewritten the same way under a lock, so a crash leaves the old one intact and
 * concurrent dray processes do not lose each other's tags.
 */
import { statSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { UserError, withFileSystemFault } from "../errors/index.js";
import { ensureDirectory, syncDirectory, withFileLock, writeFileAtomic } from "../io/index.js";
import {
  blobFileState,
  corruptBlobError,
  hashFile,
  isDrayState,
  openBlobFile,
  readBlobFile,
  readBlobFileSlice,
  removeIfCorrupt,
} from "./blob-file.js";
import { digestHex, sha256Digest } from "./digest.js";
import { Annotation } from "./image.js";
import { listBlobFiles, reachableFrom, unlinkBlobs } from "./layout-gc.js";
import {
  checkRefName,
  emptyIndex,
  type IndexJson,
  refName,
  withoutRefName,
  writeIndex,
} from "./layout-index.js";
import {
  checkLayoutFile,
  INDEX_FILE,
  initialize,
  isLayoutFile,
  LAYOUT_FILE,
  notALayout,
} from "./layout-setup.js";
import type { LayoutStore } from "./layout-store.js";
import { isPackedBlob } from "./packed-blob.js";
import type { Blob, Digest } from "./types.js";

export type { LayoutStore } from "./layout-store.js";

/** How to open a layout. */
export interface OpenLayoutOptions {
  /** Create the layout if the directory is missing or empty. */
  create?: boolean;
  /** How long tag() waits for another process's lock on index.json (default 30 s). */
  lockTimeoutMs?: number;
}

/** Opens the layout at `dir`; a directory that exists but is not an OCI layout is a UserError. */
export async function openLayout(dir: string, options: OpenLayoutOptions = {}): Promise<LayoutStore> {
  const root = path.resolve(dir);
  const names = await readdir(root).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    // The layout itself is a file, or a directory above it is (a file named .dray): say which.
    const isFile = await stat(root).then(
      (info) => info.isFile(),
      () => false,
    );
    if (error.code === "ENOTDIR" && isFile) throw notALayout(dir, "it is a file");
    throw withFileSystemFault(error);
  });
  if (names?.includes(LAYOUT_FILE)) {
    await checkLayoutFile(root, dir);
  } else if (!options.create) {
    throw notALayout(dir, names === undefined ? "it does not exist" : "it has no oci-layout file");
  } else if (names?.some((name) => !isLayoutFile(name))) {
    // Another dray may be creating the same layout right now: its files (and nothing else) are fine.
    throw notALayout(dir, "it has other files in it");
  }
  if (options.create) await initialize(root, options.lockTimeoutMs);
  return createStore(root, options.lockTimeoutMs);
}

function createStore(root: string, lockTimeoutMs: number | undefined): LayoutStore {
  const blobDir = path.join(root, "blobs", "sha256");
  const blobPath = (digest: Digest) => path.join(blobDir, digestHex(digest));
  const indexPath = path.join(root, INDEX_FILE);

  // Synchronous on purpose: a no-op build asks this of every blob of every cached image, the inode
  // is almost always in memory, and a stat on the thread pool costs far more in dispatch, promises
  // and garbage than the system call itself.
  async function blobSize(digest: Digest): Promise<number | undefined> {
    const info = statSync(blobPath(digest), { throwIfNoEntry: false });
    return info?.isFile() ? info.size : undefined;
  }
  const hasBlob = async (digest: Digest) => (await blobSize(digest)) !== undefined;

  // Blobs this process wrote or hashed: a blob shared by many images is hashed once per run.
  const verified = new Set<Digest>();

  async function writeBlob(blob: Blob): Promise<void> {
    const { digest, size } = blob.descriptor;
    const target = blobPath(digest);
    if (isPackedBlob(blob)) {
      // A layer hashed as it was packed: renamed over whatever is there, never read into memory.
      await ensureDirectory(path.dirname(target));
      await blob.moveTo(target);
      verified.add(digest);
      return;
    }
    // A file of the right size is kept only when its content hashes to its name: a flipped byte keeps
    // the size. A file of the wrong size is a leftover of something that was not dray. Either is replaced.
    if ((await blobSize(digest)) === size) {
      if (verified.has(digest) || (await hashFile(target))?.digest === digest) {
        verified.add(digest);
        return;
      }
    }
    const data = await blob.bytes();
    const actual = sha256Digest(data);
    if (actual !== digest || data.length !== size) {
      throw new Error(
        `blob ${digest} (${size} bytes) has content ${actual} (${data.length} bytes); nothing written`,
      );
    }
    await ensureDirectory(path.dirname(target));
    await writeFileAtomic(target, data);
    verified.add(digest);
  }

  /** Runs `fn` holding index.json's lock, as tag() and removeBlobs() do: repairs never interleave with them. */
  const withIndexLock = <T>(fn: () => Promise<T>) =>
    withFileLock(`${indexPath}.lock`, fn, { timeoutMs: lockTimeoutMs });

  async function readIndex(): Promise<IndexJson> {
    const text = await readFile(indexPath, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw withFileSystemFault(error, { path: indexPath });
    });
    if (text === undefined) return emptyIndex();
    try {
      const parsed = JSON.parse(text) as IndexJson;
      if (!Array.isArray(parsed.manifests)) throw new Error("no manifests array");
      return parsed;
    } catch (error) {
      throw new UserError(`${indexPath} is not a valid image index`, {
        cause: error,
        hint: isDrayState(root)
          ? "run `dray cache check --repair` to replace it with an empty index; the next build tags every service again"
          : "restore or delete it",
      });
    }
  }

  const store: LayoutStore = {
    root,
    hasBlob,
    blobSize,
    writeBlob,
    readBlob: (digest) => readBlobFile(root, blobPath(digest), digest),
    readSlice: (digest, start, end) => readBlobFileSlice(root, blobPath(digest), digest, start, end),
    corrupted: (digest, actual) => corruptBlobError(root, blobPath(digest), digest, actual),
    async checkBlob(digest) {
      const state = await blobFileState(blobPath(digest), digest);
      // Found broken since this process wrote or hashed it: the next writeBlob must not trust it.
      if (state.state !== "ok") verified.delete(digest);
      return state;
    },
    openBlob: (descriptor) => openBlobFile(root, blobPath(descriptor.digest), descriptor),
    async writeImageSet(set) {
      // Children before parents: a reader that sees a manifest or index can always read what it names.
      const blobs = [
        ...set.images.flatMap((image) => image.layers.map((layer) => layer.blob)),
        ...set.images.map((image) => image.config),
        ...set.images.map((image) => image.manifest),
        ...(set.index ? [set.index] : []),
      ];
      const written = new Set<string>();
      for (const blob of blobs) {
        if (written.has(blob.descriptor.digest)) continue;
        written.add(blob.descriptor.digest);
        await writeBlob(blob);
      }
      await syncDirectory(path.join(root, "blobs", "sha256"));
    },
    async tag(tags) {
      const entries = Object.entries(tags);
      for (const [name] of entries) checkRefName(name);
      await withIndexLock(async () => {
        // Checked under the lock: removeBlobs holds it while deleting, so a blob seen here stays.
        for (const [name, descriptor] of entries) {
          if (!(await hasBlob(descriptor.digest))) {
            // Not a bug: a prune in another process can remove what a build wrote before its tags move.
            throw new UserError(
              `cannot tag ${name}: blob ${descriptor.digest} is not in ${root}; write the image first`,
              {
                hint: "If this build wrote it, another dray process (a `dray cache prune`?) removed it meanwhile: run the build again.",
              },
            );
          }
        }
        const index = await readIndex();
        const kept = index.manifests.filter((entry) => {
          const name = refName(entry);
          return name === undefined || !Object.hasOwn(tags, name);
        });
        const added = entries.map(([name, descriptor]) => ({
          ...descriptor,
          annotations: { ...descriptor.annotations, [Annotation.refName]: name },
        }));
        await writeIndex(indexPath, { ...index, manifests: [...kept, ...added] });
      });
    },
    untag(names) {
      const removed = new Set(names);
      return withIndexLock(async () => {
        const index = await readIndex();
        const kept = index.manifests.filter((entry) => !removed.has(refName(entry) ?? ""));
        if (kept.length !== index.manifests.length)
          await writeIndex(indexPath, { ...index, manifests: kept });
      });
    },
    resetIndex() {
      return withIndexLock(async () => {
        const unreadable = await readIndex().then(
          () => false,
          (error) => error instanceof UserError,
        );
        if (unreadable) await writeIndex(indexPath, emptyIndex());
        return unreadable;
      });
    },
    async resolve(ref) {
      const entry = (await readIndex()).manifests.find((candidate) => refName(candidate) === ref);
      return entry && withoutRefName(entry);
    },
    async listTags() {
      // fromEntries defines own properties, so a ref named "__proto__" in a foreign index.json stays data.
      return Object.fromEntries(
        (await readIndex()).manifests.flatMap((entry) => {
          const name = refName(entry);
          return name === undefined ? [] : [[name, withoutRefName(entry)] as const];
        }),
      );
    },
    listBlobs: () => listBlobFiles(blobDir),
    removeBlobs(digests) {
      // Under the index lock, so no tag() can point at a blob between the reachability walk and the delete.
      return withFileLock(
        `${indexPath}.lock`,
        async () => {
          // Every entry of index.json is a root, tagged or not (image-layout.md).
          const keep = await reachableFrom((await readIndex()).manifests, store);
          return unlinkBlobs(blobDir, digests, keep);
        },
        { timeoutMs: lockTimeoutMs },
      );
    },
    removeCorruptBlobs(digests) {
      return withIndexLock(async () => {
        const removed: Digest[] = [];
        for (const digest of new Set(digests))
          if (await removeIfCorrupt(blobPath(digest), digest)) removed.push(digest);
        return removed;
      });
    },
  };
  return store;
}
