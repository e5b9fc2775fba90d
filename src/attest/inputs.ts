/** A command service's declared inputs with the checksums an SBOM gives files, read from the project. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CacheEntry } from "../cache/index.js";
import { UserError } from "../errors/index.js";
import type { InputFile } from "./sbom-model.js";

/**
 * The files the key of `platform` records as read by the command (those under a `files:` mapping are
 * in the image and listed there), with SHA-1 and SHA-256. A file whose content no longer has the
 * hash the build recorded changed since the build: the SBOM would not describe the image, so it fails.
 */
export async function readInputFiles(
  root: string,
  service: string,
  platform: CacheEntry["platforms"][number],
): Promise<InputFile[]> {
  const { settings, files } = platform.ingredients;
  if (settings["command.argv"] === undefined) return [];
  const mapped = Object.entries(settings)
    .filter(([name]) => name.startsWith("files."))
    .map(([, value]) => value.split(" -> ")[0]!);
  const underMapping = (file: string) => mapped.some((from) => file === from || file.startsWith(`${from}/`));
  const inputs: InputFile[] = [];
  for (const [file, recorded] of Object.entries(files)) {
    if (recorded.startsWith("link:") || underMapping(file)) continue;
    const data = await readFile(path.join(root, ...file.split("/")));
    const sha256 = createHash("sha256").update(data).digest("hex");
    if (sha256 !== recorded.replace(/:x$/, "")) {
      throw new UserError(
        `${file} changed since ${service} was built: its SBOM would not describe the image`,
        {
          hint: "Run the command again: it builds first, then writes the SBOM of what it built.",
        },
      );
    }
    inputs.push({ path: file, sha1: createHash("sha1").update(data).digest("hex"), sha256 });
  }
  return inputs;
}
