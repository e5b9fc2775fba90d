import { describe, expect, it } from "vitest";
import { imageTree, resolveInTree, type TreeEntry } from "./image-tree.js";

const file = (path: string): TreeEntry => ({ path, type: "file" });
const dir = (path: string): TreeEntry => ({ path, type: "dir" });
const link = (path: string, target: string): TreeEntry => ({ path, type: "symlink", target });

describe("an image's names", () => {
  // A merged-/usr Debian: /lib64 → usr/lib64, the loader a link into the multiarch directory.
  const debian = [
    dir("usr/"),
    dir("usr/lib/"),
    dir("usr/lib/x86_64-linux-gnu/"),
    file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
    dir("usr/lib64/"),
    link("usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
    link("lib64", "usr/lib64"),
    link("lib", "usr/lib"),
  ];

  const cases: { description: string; layers: TreeEntry[][]; path: string; expected: string | undefined }[] =
    [
      {
        description: "nothing in scratch",
        layers: [],
        path: "/lib64/ld-linux-x86-64.so.2",
        expected: undefined,
      },
      {
        description: "a loader reached through a directory link and a relative file link",
        layers: [debian],
        path: "/lib64/ld-linux-x86-64.so.2",
        expected: "file",
      },
      {
        description: "an absolute link is resolved from the image's root, not the host's",
        layers: [[file("opt/ld.so"), link("lib/ld-musl-x86_64.so.1", "/opt/ld.so")]],
        path: "/lib/ld-musl-x86_64.so.1",
        expected: "file",
      },
      {
        description: "a directory a tar never lists is there when something lies below it",
        layers: [[file("lib/ld-musl-x86_64.so.1")]],
        path: "/lib",
        expected: "dir",
      },
      {
        description: "a whiteout in a later layer removes the file",
        layers: [debian, [file("usr/lib/x86_64-linux-gnu/.wh.ld-linux-x86-64.so.2")]],
        path: "/lib64/ld-linux-x86-64.so.2",
        expected: undefined,
      },
      {
        description: "an opaque directory hides what the layers below put in it, not what its own layer adds",
        layers: [
          debian,
          [file("usr/lib/x86_64-linux-gnu/.wh..wh..opq"), file("usr/lib/x86_64-linux-gnu/other.so")],
        ],
        path: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        expected: undefined,
      },
      {
        description: "a link loop ends as missing",
        layers: [[link("a", "b"), link("b", "a")]],
        path: "/a/ld.so",
        expected: undefined,
      },
      {
        description: "a file cannot be a directory on the way",
        layers: [[file("lib")]],
        path: "/lib/ld.so",
        expected: undefined,
      },
    ];
  for (const c of cases) {
    it(c.description, () => {
      expect(resolveInTree(imageTree(c.layers), c.path)).toBe(c.expected);
    });
  }
});
