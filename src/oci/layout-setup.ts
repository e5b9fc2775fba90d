/** Opening an OCI image layout: recognising one, and creating what a new one lacks. */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../errors/index.js";
import { ensureDirectory, TEMP_PREFIX, withFileLock, writeFileAtomic } from "../io/index.js";
import { canonicalJson } from "./canonical-json.js";
import { emptyIndex, writeIndex } from "./layout-index.js";

export const LAYOUT_FILE = "oci-layout";
const LAYOUT_VERSION = "1.0.0";
export const INDEX_FILE = "index.json";

/** Creates whatever part of the layout is missing; safe to run concurrently with another dray doing the same. */
export async function initialize(root: string, lockTimeoutMs: number | undefined): Promise<void> {
  await ensureDirectory(path.join(root, "blobs", "sha256"));
  const layoutFile = path.join(root, LAYOUT_FILE);
  if (!(await stat(layoutFile).catch(() => undefined))) {
    await writeFileAtomic(layoutFile, canonicalJson({ imageLayoutVersion: LAYOUT_VERSION }));
  }
  const indexPath = path.join(root, INDEX_FILE);
  if (await stat(indexPath).catch(() => undefined)) return;
  await withFileLock(
    `${indexPath}.lock`,
    async () => {
      if (!(await stat(indexPath).catch(() => undefined))) await writeIndex(indexPath, emptyIndex());
    },
    { timeoutMs: lockTimeoutMs },
  );
}

export async function checkLayoutFile(root: string, shown: string): Promise<void> {
  const text = await readFile(path.join(root, LAYOUT_FILE), "utf8");
  let version: unknown;
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    throw notALayout(shown, "its oci-layout file is not JSON");
  }
  if (version !== LAYOUT_VERSION) {
    throw notALayout(
      shown,
      `its imageLayoutVersion is ${JSON.stringify(version)}, dray reads ${LAYOUT_VERSION}`,
    );
  }
}

export function isLayoutFile(name: string): boolean {
  return (
    ["blobs", LAYOUT_FILE, INDEX_FILE].includes(name) ||
    name.startsWith(`${INDEX_FILE}.lock`) ||
    name.startsWith(TEMP_PREFIX)
  );
}

export function notALayout(dir: string, why: string): UserError {
  return new UserError(`${dir} is not an OCI image layout: ${why}`, {
    exitCode: ExitCode.usage,
    hint: "point dray at an OCI image layout directory (one with an oci-layout file), or at a new or empty directory",
  });
}
