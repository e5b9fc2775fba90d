/**
 * A digest of a user's own Kubernetes manifests (a file or a directory of YAML), folded into the
 * spec digest: editing the manifests alone must redeploy, as editing dray.yaml does. Conservative —
 * any edit moves every service of that target — because which object belongs to which service is
 * only known after rendering.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

export async function manifestsDigest(location: string): Promise<string> {
  const hash = createHash("sha256");
  const files = (await stat(location)).isDirectory() ? await yamlFiles(location) : [location];
  for (const file of files.sort()) {
    hash.update(`${path.relative(location, file)}\0`);
    hash.update(await readFile(file));
    hash.update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(full)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}
