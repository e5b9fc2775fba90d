/**
 * User manifests mode: reads the YAML the user keeps (a file, or a directory of *.yaml/*.yml such
 * as kustomize output) into objects, each remembering the file it came from for messages.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { UserError } from "../../errors/index.js";
import type { KubeObject } from "./objects.js";

/** One object from the user's manifests and where it was written. */
export interface ManifestObject {
  /** "k8s/api.yaml" or "k8s/api.yaml#2" for the third document of a file. */
  readonly source: string;
  readonly object: KubeObject;
}

/** Every object of the file or directory `location`, in file-name then document order. */
export async function readManifests(location: string): Promise<ManifestObject[]> {
  const files = await manifestFiles(location);
  const objects: ManifestObject[] = [];
  for (const file of files) {
    objects.push(...parseManifests(await readFile(file, "utf8"), path.relative(process.cwd(), file) || file));
  }
  return objects;
}

/** Parses one multi-document YAML text; `name` is used in messages. */
export function parseManifests(text: string, name: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const source = index === 0 ? name : `${name}#${index}`;
    if (document.errors.length > 0) {
      throw new UserError(`${source} is not valid YAML: ${document.errors[0]!.message}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    for (const item of flattenLists(value, source))
      objects.push({ source, object: checkObject(item, source) });
  });
  return objects;
}

/** A `kind: List` (what `kubectl get -o yaml` writes) holds its objects in `items`. */
function flattenLists(value: unknown, source: string): unknown[] {
  if (isRecord(value) && value["kind"] === "List" && Array.isArray(value["items"])) {
    return value["items"].flatMap((item) => flattenLists(item, source));
  }
  return [value];
}

function checkObject(value: unknown, source: string): KubeObject {
  if (
    isRecord(value) &&
    typeof value["apiVersion"] === "string" &&
    typeof value["kind"] === "string" &&
    isRecord(value["metadata"]) &&
    typeof value["metadata"]["name"] === "string"
  ) {
    return value as KubeObject;
  }
  throw new UserError(`${source} is not a Kubernetes object`, {
    hint: "Every YAML document in the manifests must have apiVersion, kind and metadata.name.",
  });
}

async function manifestFiles(location: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(location);
  } catch (error) {
    throw new UserError(`Kubernetes manifests not found: ${location}`, {
      hint: "Set `manifests` of the kubernetes target to a YAML file or a directory of .yaml/.yml files.",
      cause: error,
    });
  }
  if (!info.isDirectory()) return [location];
  const entries = await readdir(location, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  if (files.length === 0) {
    throw new UserError(`no .yaml or .yml files in ${location}`, {
      hint: "Put the manifests there (e.g. `kustomize build > k8s/all.yaml`) or point `manifests` at the file.",
    });
  }
  return files;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
