/**
 * Deciding how a service takes a change, pure: compile and copy the binary (Go sources), copy
 * files (a `live.sync` rule), or — for anything no rule covers — rebuild the image and redeploy,
 * with the reason said out loud.
 */
import path from "node:path";
import type { ResolvedService } from "../config/index.js";

/** A file to copy into the container: host path and container path. */
export interface SyncFile {
  readonly from: string;
  readonly to: string;
}

export type UpdatePlan =
  | {
      readonly kind: "live";
      readonly compile: boolean;
      readonly sync: readonly SyncFile[];
      readonly reason: string;
    }
  | { readonly kind: "rebuild"; readonly reason: string };

function inside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir}${path.sep}`);
}

/**
 * How `service` takes changes to `files` (absolute paths of its inputs whose content changed).
 * A Go service's sources compile to a new binary; a file under one of its `files:` mappings is
 * packed into the image, so only a sync rule can cover it.
 */
export function planUpdate(service: ResolvedService, files: readonly string[], root: string): UpdatePlan {
  const sync: SyncFile[] = [];
  let compile = false;
  const rel = (file: string) => path.relative(root, file).split(path.sep).join("/");
  for (const file of files) {
    const rule = service.live.sync.find((r) => inside(file, r.from));
    if (rule) {
      const rest = path.relative(rule.from, file).split(path.sep).join("/");
      sync.push({ from: file, to: rest ? path.posix.join(rule.to, rest) : rule.to });
      continue;
    }
    const packed = service.files.find((f) => inside(file, f.from));
    if (service.kind === "go" && !packed) {
      compile = true;
      continue;
    }
    const why = packed
      ? `${rel(file)} is packed into the image by \`files\` and no \`live.sync\` rule covers it`
      : `${rel(file)} is not covered by a \`live.sync\` rule`;
    return { kind: "rebuild", reason: why };
  }
  const names = files.map(rel);
  const shown =
    names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  return { kind: "live", compile, sync, reason: `changed: ${shown}` };
}
