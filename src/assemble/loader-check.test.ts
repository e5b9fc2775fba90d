import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { elf } from "../../test/support/elf.js";
import { commandService, goService } from "../../test/support/key-facts-fixture.js";
import { ExitCode, UserError } from "../errors/errors.js";
import type { BaseImage, TarEntry } from "../oci/index.js";
import { createLayer } from "../oci/index.js";
import { checkLoaders, dynamicPrograms } from "./loader-check.js";

const amd64 = { os: "linux", architecture: "amd64" };
const LOADER = "/lib64/ld-linux-x86-64.so.2";
const dynamic = elf({ bits: 64, littleEndian: true, interpreter: LOADER });
const staticBinary = elf({ bits: 64, littleEndian: true });
const binary = (data: Buffer): TarEntry[] => [{ path: "/app/api", type: "file", mode: 0o755, data }];
const locate = (p: readonly (string | number)[]) => `dray.yaml:${p.join(".")}`;

/** One of dray's layers as the build hands it to the check: its entries and the programs read from them. */
async function layer(entries: TarEntry[]) {
  return [{ entries, programs: await dynamicPrograms(entries) }];
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function base(...layers: TarEntry[][]): Promise<BaseImage> {
  return {
    platform: amd64,
    config: { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } },
    layers: await Promise.all(
      layers.map((entries) => createLayer(entries, { mtime: 0, uid: 0, gid: 0, comment: "base" })),
    ),
    manifestDigest: `sha256:${"0".repeat(64)}`,
  };
}

/** The error `promise` rejects with; undefined when it resolves. */
async function failure(promise: Promise<unknown>): Promise<UserError | undefined> {
  return promise.then(
    () => undefined,
    (e: unknown) => {
      if (e instanceof UserError) return e;
      throw e;
    },
  );
}

describe("the loader check", () => {
  it("finds the ELF programs that ask for a loader, and only those", async () => {
    expect(
      await dynamicPrograms([
        ...binary(dynamic),
        { path: "bin/static", type: "file", data: staticBinary },
        { path: "etc/app.conf", type: "file", data: Buffer.from("x") },
        { path: "lib", type: "dir" },
      ]),
    ).toEqual([{ path: "/app/api", interpreter: LOADER }]);
  });

  it("reads a file streamed from the host from its start, even when its headers lie past the first read", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "dray-loader-"));
    dirs.push(dir);
    const small = path.join(dir, "small");
    await writeFile(small, dynamic);
    // The same program with 8 KiB of zeros before its interpreter's name.
    const far = path.join(dir, "far");
    const padded = elf({ bits: 64, littleEndian: true, interpreter: LOADER, padding: 8192 });
    await writeFile(far, padded);
    const script = path.join(dir, "script");
    await writeFile(script, "#!/bin/sh\n");
    const source = (p: string, size: number) => ({ path: p, size });
    expect(
      await dynamicPrograms([
        { path: "app/small", type: "file", source: source(small, dynamic.length) },
        { path: "app/far", type: "file", source: source(far, padded.length) },
        { path: "app/script", type: "file", source: source(script, 10) },
      ]),
    ).toEqual([
      { path: "/app/small", interpreter: LOADER },
      { path: "/app/far", interpreter: LOADER },
    ]);
  });

  it("a static binary on scratch is fine; a dynamic one is an error naming binary, loader and the fix", async () => {
    const api = goService("api", { cgo: true, link: "dynamic" });
    expect(
      await failure(checkLoaders(api, amd64, undefined, await layer(binary(staticBinary)), locate)),
    ).toBeUndefined();
    const error = await failure(checkLoaders(api, amd64, undefined, await layer(binary(dynamic)), locate));
    expect(error?.message).toBe(
      "service api: /app/api (linux/amd64) is dynamically linked and needs /lib64/ld-linux-x86-64.so.2, which the image (base scratch) does not have — it could not start",
    );
    expect(error?.exitCode).toBe(ExitCode.usage);
    expect(error?.hint).toBe(
      "Link it statically: `cgo: true` (dray links cgo binaries statically) instead of `cgo: dynamic` at dray.yaml:services.api.cgo; or `cgo: false` if its packages build without cgo; or a base with the C library and /lib64/ld-linux-x86-64.so.2 (e.g. a Debian or distroless/base image) at dray.yaml:services.api.base.",
    );
  });

  it("a base that has the loader (through merged-/usr links) lets a dynamic binary in", async () => {
    const debian = await base([
      { path: "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", type: "file", data: Buffer.from("ld") },
      {
        path: "usr/lib64/ld-linux-x86-64.so.2",
        type: "symlink",
        linkTarget: "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
      },
      { path: "lib64", type: "symlink", linkTarget: "usr/lib64" },
    ]);
    const api = goService("api", {
      cgo: true,
      link: "dynamic",
      base: { kind: "layout", layout: "/repo/bases", ref: "debian" },
    });
    expect(
      await failure(checkLoaders(api, amd64, debian, await layer(binary(dynamic)), locate)),
    ).toBeUndefined();
  });

  it("a base whose loader a later layer removes, or whose loader is for another C library, is refused", async () => {
    const removed = await base(
      [{ path: "lib64/ld-linux-x86-64.so.2", type: "file", data: Buffer.from("ld") }],
      [{ path: "lib64/.wh.ld-linux-x86-64.so.2", type: "file" }],
    );
    const musl = await base([{ path: "lib/ld-musl-x86_64.so.1", type: "file", data: Buffer.from("ld") }]);
    const api = goService("api", {
      cgo: true,
      link: "dynamic",
      base: { kind: "layout", layout: "/repo/bases", ref: "alpine" },
    });
    for (const image of [removed, musl]) {
      const error = await failure(checkLoaders(api, amd64, image, await layer(binary(dynamic)), locate));
      expect(error?.message).toMatch(
        /needs \/lib64\/ld-linux-x86-64\.so\.2, which the image \(base oci:alpine\) does not have/,
      );
    }
  });

  it("a dynamic program from files: or a command's output is checked too", async () => {
    const web = commandService("web");
    const error = await failure(
      checkLoaders(
        web,
        amd64,
        undefined,
        await layer([{ path: "srv/tool", type: "file", mode: 0o755, data: dynamic }]),
        locate,
      ),
    );
    expect(error?.message).toMatch(/^service web: \/srv\/tool \(linux\/amd64\) is dynamically linked/);
    expect(error?.hint).toMatch(
      /^\/srv\/tool comes from the command's output or files: — link it statically/,
    );
  });
});
