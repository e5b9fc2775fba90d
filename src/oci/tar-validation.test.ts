import { describe, expect, it } from "vitest";
import { type TarEntry, type TarOptions, writeTar } from "./tar.js";

const ZERO: TarOptions = { mtime: 0, uid: 0, gid: 0 };
const FIXTURE: TarEntry[] = [{ path: "app/hello", type: "file", data: Buffer.from("hi\n") }];

describe("writeTar rejects bad input", () => {
  const cases: { description: string; entries: TarEntry[]; message: RegExp }[] = [
    {
      description: "a file twice",
      entries: [
        { path: "a", type: "file" },
        { path: "/a", type: "file" },
      ],
      message: /duplicate path "a"/,
    },
    {
      description: "a file and a dir at one path",
      entries: [
        { path: "a", type: "file" },
        { path: "a/", type: "dir" },
      ],
      message: /duplicate/,
    },
    { description: "..", entries: [{ path: "app/../etc/passwd", type: "file" }], message: /invalid path/ },
    { description: ".", entries: [{ path: "./app", type: "file" }], message: /invalid path/ },
    {
      description: "an empty component",
      entries: [{ path: "app//x", type: "file" }],
      message: /invalid path/,
    },
    { description: "the root", entries: [{ path: "/", type: "dir" }], message: /invalid path/ },
    { description: "NUL", entries: [{ path: "a\0b", type: "file" }], message: /NUL/ },
    {
      description: "a file with a trailing slash",
      entries: [{ path: "a/", type: "file" }],
      message: /only directories/,
    },
    {
      description: "a child of a file",
      entries: [
        { path: "a", type: "file" },
        { path: "a/b", type: "file" },
      ],
      message: /which is a file/,
    },
    {
      description: "a symlink without target",
      entries: [{ path: "l", type: "symlink" }],
      message: /non-empty target/,
    },
    {
      description: "data on a directory",
      entries: [{ path: "d", type: "dir", data: Buffer.from("x") }],
      message: /cannot have data/,
    },
  ];
  it.each(cases)("rejects $description", ({ entries, message }) => {
    expect(() => writeTar(entries, ZERO)).toThrow(message);
  });

  it.each([
    { mtime: -1, uid: 0, gid: 0 },
    { mtime: 1.5, uid: 0, gid: 0 },
    { mtime: 0, uid: 0o10000000, gid: 0 },
  ])("rejects options %o", (options) => {
    expect(() => writeTar(FIXTURE, options)).toThrow(RangeError);
  });
});
