/**
 * The file system an image's layers add up to, as far as names go: enough to ask whether a path
 * (the loader a program needs) exists once every symlink on the way is followed. Layers apply in
 * order with OCI whiteouts (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts).
 */

/** One entry of a layer, by kind; file contents do not matter here. */
export type TreeEntry =
  | { path: string; type: "file" | "dir" }
  | { path: string; type: "symlink"; target: string };

type Node = { type: "file" | "dir" } | { type: "symlink"; target: string };

/** Links followed before a path is given up on, as Linux's ELOOP limit. */
const MAX_LINKS = 40;

/** "/usr/lib/" → "usr/lib"; the root is "". */
function key(path: string): string {
  return path
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

/** An image's names after all its layers: path (without leading "/") → what is there. */
export type ImageTree = ReadonlyMap<string, Node>;

/** The names `layers` add up to, applied in order: each layer's whiteouts remove from the layers below it. */
export function imageTree(layers: readonly (readonly TreeEntry[])[]): ImageTree {
  const nodes = new Map<string, Node>();
  for (const entries of layers) {
    for (const entry of entries) {
      const k = key(entry.path);
      const slash = k.lastIndexOf("/");
      const dir = slash === -1 ? "" : k.slice(0, slash);
      const name = slash === -1 ? k : k.slice(slash + 1);
      if (name === ".wh..wh..opq") removeBelow(nodes, dir);
      else if (name.startsWith(".wh.")) {
        const gone = dir === "" ? name.slice(4) : `${dir}/${name.slice(4)}`;
        nodes.delete(gone);
        removeBelow(nodes, gone);
      }
    }
    for (const entry of entries) {
      const k = key(entry.path);
      if (k === "" || k.split("/").pop()!.startsWith(".wh.")) continue;
      nodes.set(
        k,
        entry.type === "symlink" ? { type: "symlink", target: entry.target } : { type: entry.type },
      );
    }
  }
  return nodes;
}

/** What `path` is in `tree` once every symlink is followed: "file", "dir", or undefined when it does not exist. */
export function resolveInTree(tree: ImageTree, path: string): "file" | "dir" | undefined {
  const done: string[] = [];
  let rest = key(path)
    .split("/")
    .filter((p) => p !== "");
  let links = 0;
  while (rest.length > 0) {
    const [part, ...after] = rest as [string, ...string[]];
    rest = after;
    if (part === "..") {
      done.pop();
      continue;
    }
    const here = [...done, part].join("/");
    const node = tree.get(here) ?? (hasBelow(tree, here) ? { type: "dir" as const } : undefined);
    if (!node) return undefined;
    if (node.type === "symlink") {
      if (++links > MAX_LINKS) return undefined;
      if (node.target.startsWith("/")) done.length = 0;
      rest = [...node.target.split("/").filter((p) => p !== "" && p !== "."), ...rest];
      continue;
    }
    if (node.type === "file" && rest.length > 0) return undefined;
    done.push(part);
    if (rest.length === 0) return node.type;
  }
  return "dir";
}

/** A directory a layer never lists but holds entries below (tars need not list every parent). */
function hasBelow(tree: ImageTree, dir: string): boolean {
  const prefix = `${dir}/`;
  for (const k of tree.keys()) if (k.startsWith(prefix)) return true;
  return false;
}

function removeBelow(nodes: Map<string, Node>, dir: string): void {
  const prefix = dir === "" ? "" : `${dir}/`;
  for (const k of [...nodes.keys()]) if (k.startsWith(prefix) && k !== dir) nodes.delete(k);
}
