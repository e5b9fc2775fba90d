import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { extract } from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Digest } from "./digest.js";
import { type TarEntry, type TarOptions, writeTar } from "./tar.js";

const ZERO: TarOptions = { mtime: 0, uid: 0, gid: 0 };

/** The fixture the golden values below were taken from (checked with GNU tar 1.34 and Python's tarfile). */
const FIXTURE: TarEntry[] = [
  { path: "app/", type: "dir" },
  { path: "app/hello", type: "file", mode: 0o755, data: Buffer.from("hi\n") },
  { path: "app/link", type: "symlink", linkTarget: "hello" },
];

interface ReadEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  data: string;
}

async function readTar(tar: Buffer): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  const reader = extract();
  reader.end(tar);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const h = entry.header;
    out.push({
      name: h.name,
      type: h.type ?? "",
      mode: h.mode ?? -1,
      uid: h.uid ?? -1,
      gid: h.gid ?? -1,
      mtime: (h.mtime?.getTime() ?? -1) / 1000,
      linkname: h.linkname ?? "",
      uname: h.uname ?? "",
      gname: h.gname ?? "",
      data: Buffer.concat(chunks).toString("utf8"),
    });
  }
  return out;
}

const scratch = mkdtempSync(path.join(tmpdir(), "dray-tar-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** GNU tar's verbose listing of `tar`, in the C locale so the output does not depend on the machine. */
function gnuList(tar: Buffer): string[] {
  const file = path.join(scratch, `${sha256Digest(tar).slice(7, 19)}.tar`);
  writeFileSync(file, tar);
  const output = execFileSync("tar", ["-tvf", file, "--numeric-owner"], {
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C.UTF-8", TZ: "UTC" },
  });
  return output.trimEnd().split("\n");
}

describe("writeTar golden bytes", () => {
  const tar = writeTar(FIXTURE, ZERO);

  it("produces the frozen archive", () => {
    // dir header, file header, one data block, symlink header, two zero blocks; no 10240-byte record padding.
    expect(tar.length).toBe(6 * 512);
    expect(sha256Digest(tar)).toBe("sha256:5fbeb65b57213823e41e9ab6f74537029a52a2a2edb50b6e88ed4da5288885b3");
  });

  it("writes the file header field by field", () => {
    const nul = (n: number) => "\0".repeat(n);
    const expected =
      `app/hello${nul(91)}` + // name[100]
      "0000755\0" + // mode[8]
      "0000000\0" + // uid[8]
      "0000000\0" + // gid[8]
      "00000000003\0" + // size[12]
      "00000000000\0" + // mtime[12]: 0, not the current time
      "007547\0 " + // chksum[8]: six octal digits, NUL, space
      "0" + // typeflag: regular file
      nul(100) + // linkname
      "ustar\x0000" + // magic "ustar\0", version "00"
      nul(32) + // uname: empty
      nul(32) + // gname: empty
      nul(8) + // devmajor: empty
      nul(8) + // devminor: empty
      nul(155) + // prefix
      nul(12);
    expect(tar.subarray(512, 1024).toString("latin1")).toBe(expected);
    expect(tar.subarray(1024, 1536).toString("latin1")).toBe(`hi\n${nul(509)}`);
    expect(tar.subarray(2048).equals(Buffer.alloc(1024))).toBe(true);
  });

  it("is read by GNU tar and tar-stream as written", async () => {
    expect(gnuList(tar)).toEqual([
      "drwxr-xr-x 0/0               0 1970-01-01 00:00 app/",
      "-rwxr-xr-x 0/0               3 1970-01-01 00:00 app/hello",
      "lrwxrwxrwx 0/0               0 1970-01-01 00:00 app/link -> hello",
    ]);
    const entries = await readTar(tar);
    expect(entries.map((e) => [e.name, e.type, e.mode.toString(8), e.linkname, e.data])).toEqual([
      ["app/", "directory", "755", "", ""],
      ["app/hello", "file", "755", "", "hi\n"],
      ["app/link", "symlink", "777", "hello", ""],
    ]);
  });
});

describe("writeTar ordering and parents", () => {
  it("sorts by the bytes of stored names, not by locale or input order", async () => {
    const names = (
      await readTar(
        writeTar(
          [
            { path: "a/a", type: "file" },
            { path: "a-b", type: "file" },
            { path: "a/B", type: "file" },
            { path: "/é", type: "file" },
            { path: "Z", type: "file" },
            { path: "a.txt", type: "file" },
          ],
          ZERO,
        ),
      )
    ).map((e) => e.name);
    // "-" (0x2d) < "." (0x2e) < "/" (0x2f); "B" (0x42) < "a" (0x61); "é" (0xc3 0xa9) after all ASCII.
    expect(names).toEqual(["Z", "a-b", "a.txt", "a/", "a/B", "a/a", "é"]);
  });

  it("emits each missing parent once, before its children", async () => {
    const names = (
      await readTar(
        writeTar(
          [
            { path: "/usr/local/bin/tool", type: "file" },
            { path: "/usr/local/share/doc", type: "file" },
            { path: "/usr/", type: "dir" },
          ],
          ZERO,
        ),
      )
    ).map((e) => e.name);
    expect(names).toEqual([
      "usr/",
      "usr/local/",
      "usr/local/bin/",
      "usr/local/bin/tool",
      "usr/local/share/",
      "usr/local/share/doc",
    ]);
  });

  it("gives the same bytes for the same entries in any order", () => {
    const reversed = [...FIXTURE].reverse();
    expect(writeTar(reversed, ZERO).equals(writeTar(FIXTURE, ZERO))).toBe(true);
  });

  it("merges a directory listed twice (several copies into one folder)", async () => {
    const tar = writeTar(
      [
        { path: "/app", type: "dir" },
        { path: "app/", type: "dir" },
        { path: "app/x", type: "file" },
      ],
      ZERO,
    );
    expect((await readTar(tar)).map((e) => e.name)).toEqual(["app/", "app/x"]);
  });
});

describe("writeTar metadata", () => {
  it.each([
    { given: undefined, stored: 0o644 },
    { given: 0o600, stored: 0o644 },
    { given: 0o700, stored: 0o755 },
    { given: 0o100775, stored: 0o755 }, // stat.mode with file-type bits, group write dropped
    { given: 0o4755, stored: 0o755 }, // setuid dropped
    { given: 0o744, stored: 0o755 },
    { given: 0o555, stored: 0o555 }, // kept: a deliberate read-only binary
    { given: 0o444, stored: 0o444 },
    { given: 0o644, stored: 0o644 },
  ])("stores file mode $given as $stored", async ({ given, stored }) => {
    const [entry] = await readTar(writeTar([{ path: "f", type: "file", mode: given }], ZERO));
    expect(entry!.mode).toBe(stored);
  });

  it("ignores modes given to directories and symlinks", async () => {
    const entries = await readTar(
      writeTar(
        [
          { path: "d", type: "dir", mode: 0o700 },
          { path: "l", type: "symlink", mode: 0o600, linkTarget: "d" },
        ],
        ZERO,
      ),
    );
    expect(entries.map((e) => e.mode)).toEqual([0o755, 0o777]);
  });

  it("writes the given mtime, uid and gid on every entry and never the clock or the user's name", async () => {
    const tar = writeTar(FIXTURE, { mtime: 1_700_000_000, uid: 1000, gid: 2000 });
    for (const entry of await readTar(tar)) {
      expect(entry).toMatchObject({ mtime: 1_700_000_000, uid: 1000, gid: 2000, uname: "", gname: "" });
    }
    const zero = await readTar(writeTar(FIXTURE, ZERO));
    expect(zero.map((e) => e.mtime)).toEqual([0, 0, 0]);
  });
});

describe("writeTar long and non-ASCII names", () => {
  const long100 = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(50)}`; // 172 bytes: prefix + name
  const long255 = `${`${"g".repeat(90)}/`.repeat(3)}h.txt`; // 278 bytes: PAX path
  const longDir = `${"i".repeat(120)}/`; // one component over 100 bytes: PAX path
  const unicode = "app/café/naïve.txt";
  const longLink = `${"x/".repeat(60)}y`; // 121 bytes: PAX linkpath
  const entries: TarEntry[] = [
    { path: long100, type: "file", data: Buffer.from("a") },
    { path: long255, type: "file", data: Buffer.from("b") },
    { path: longDir, type: "dir" },
    { path: unicode, type: "file", data: Buffer.from("c") },
    { path: "app/ln", type: "symlink", linkTarget: longLink },
    { path: "app/ü", type: "symlink", linkTarget: "naïve" },
  ];
  const tar = writeTar(entries, ZERO);

  it("round-trips through tar-stream", async () => {
    const read = await readTar(tar);
    const byName = new Map(read.map((e) => [e.name, e]));
    expect(byName.get(long100)?.data).toBe("a");
    expect(byName.get(long255)?.data).toBe("b");
    expect(byName.get(longDir)?.type).toBe("directory");
    expect(byName.get(unicode)?.data).toBe("c");
    expect(byName.get("app/ln")?.linkname).toBe(longLink);
    expect(byName.get("app/ü")?.linkname).toBe("naïve");
    // PAX headers are consumed by the reader: no "PaxHeaders/..." entry shows up.
    expect(read.some((e) => e.name.startsWith("PaxHeaders"))).toBe(false);
  });

  it("round-trips through GNU tar", () => {
    const listing = gnuList(tar).join("\n");
    for (const name of [long100, long255, longDir, unicode, `app/ln -> ${longLink}`, "app/ü -> naïve"]) {
      expect(listing).toContain(` ${name}`);
    }
  });

  it("uses the ustar prefix field for names up to 255 bytes and PAX only beyond", () => {
    // Third block, after the headers of the parents d…/ and d…/e…/.
    const header = writeTar([{ path: long100, type: "file" }], ZERO).subarray(512 * 2, 512 * 3);
    expect(header.toString("latin1", 0, 51)).toBe(`${"f".repeat(50)}\0`);
    expect(header.toString("latin1", 345, 345 + 121)).toBe(`${"d".repeat(60)}/${"e".repeat(60)}`);
    const pax = writeTar([{ path: longDir, type: "dir" }], ZERO);
    expect(pax[156]).toBe("x".charCodeAt(0));
    expect(pax.toString("latin1", 0, 11)).toBe("PaxHeaders/");
    // Only the path record: no mtime, atime or ctime records.
    // The length counts the whole record, its own three digits included: 3 + " path=" + 121 + "\n".
    expect(pax.toString("latin1", 124, 136)).toBe("00000000203\0");
    expect(pax.toString("latin1", 512, 512 + 132)).toBe(`131 path=${longDir}\n\0`);
  });
});
