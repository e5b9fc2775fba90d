/**
 * The mount way of a live update: the compiler writes into the service's live directory under a
 * temporary name, then the binary takes the live name in one rename, so the supervisor never
 * starts half a binary and a running process keeps its old file. Nothing is read back, except to
 * tell a binary identical to the live one (a comment, a reverted edit) — compared only when the
 * sizes match, and only up to the first difference.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { CompileToResult } from "../go/index.js";

/** A compiled binary waiting beside the live one; `swap` puts it in place, false when it is the same. */
export type InPlaceCompile = { ok: true; swap: () => Promise<boolean> } | { ok: false; output: string };

export async function compileInPlace(
  compileTo: (out: string) => Promise<CompileToResult>,
  liveFile: string,
): Promise<InPlaceCompile> {
  const temp = path.join(path.dirname(liveFile), `.tmp-${randomBytes(6).toString("hex")}`);
  const result = await compileTo(temp).catch(async (error: unknown) => {
    await rm(temp, { force: true });
    throw error;
  });
  if (!result.ok) {
    await rm(temp, { force: true });
    return result;
  }
  return {
    ok: true,
    async swap() {
      if (await sameContent(temp, liveFile)) {
        await rm(temp, { force: true });
        return false;
      }
      await rename(temp, liveFile);
      return true;
    },
  };
}

const CHUNK = 1 << 20;

/** Whether two files hold the same bytes; false when either is missing. */
export async function sameContent(a: string, b: string): Promise<boolean> {
  const fa = await open(a, "r").catch(() => undefined);
  const fb = await open(b, "r").catch(() => undefined);
  try {
    if (!fa || !fb) return false;
    const [sa, sb] = await Promise.all([fa.stat(), fb.stat()]);
    if (sa.size !== sb.size) return false;
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (let at = 0; at < sa.size; at += CHUNK) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, CHUNK, at), fb.read(bb, 0, CHUNK, at)]);
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead)))
        return false;
      if (ra.bytesRead === 0) break;
    }
    return true;
  } finally {
    await fa?.close();
    await fb?.close();
  }
}
