/**
 * Independent readers must accept dray's layouts (docs/determinism.md, "How it is checked"): long and
 * non-ASCII paths, symlinks, multi-platform indexes. skopeo and umoci are required (scripts/install-deps.sh).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleImage, assembleImageSet } from "../../src/oci/image.js";
import { createLayer } from "../../src/oci/layer.js";
import { openLayout } from "../../src/oci/layout.js";
import type { Platform } from "../../src/oci/types.js";

const LONG = `${`${"g".repeat(90)}/`.repeat(3)}h.txt`;
let temp: string;
let layout: string;

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-readers-"));
  layout = path.join(temp, "oci");
  const image = async (platform: Platform) =>
    assembleImage({
      platform,
      layers: [
        await createLayer(
          [
            {
              path: "/app/hello",
              type: "file",
              mode: 0o755,
              data: Buffer.from(`#!/bin/sh\necho ${platform.architecture}\n`),
            },
            { path: "/app/link", type: "symlink", linkTarget: "hello" },
            { path: "/app/café/naïve.txt", type: "file", data: Buffer.from("utf\n") },
            { path: LONG, type: "file", data: Buffer.from("long\n") },
          ],
          { mtime: 0, uid: 0, gid: 0, comment: "dray: app" },
        ),
      ],
      config: { Entrypoint: ["/app/hello"], Env: ["PATH=/app"] },
      created: 0,
    });
  const amd64 = await image({ os: "linux", architecture: "amd64" });
  const multi = assembleImageSet([amd64, await image({ os: "linux", architecture: "arm64", variant: "v8" })]);
  const store = await openLayout(layout, { create: true });
  await store.writeImageSet(multi);
  await store.tag({ "app:multi": multi.top, "app:amd64": amd64.manifest.descriptor });
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe("skopeo", () => {
  it.each(["app:amd64", "app:multi"])("inspects %s", (tag) => {
    const info = JSON.parse(
      execFileSync("skopeo", ["inspect", `oci:${layout}:${tag}`], { encoding: "utf8" }),
    );
    expect(info).toMatchObject({
      Created: "1970-01-01T00:00:00Z",
      Architecture: "amd64",
      Os: "linux",
      Env: ["PATH=/app"],
    });
  });

  it("copies every platform of the index, verifying each blob", () => {
    execFileSync(
      "skopeo",
      ["copy", "--all", `oci:${layout}:app:multi`, `oci:${path.join(temp, "copy")}:app`],
      {
        stdio: "ignore",
      },
    );
  });
});

// umoci 0.4 cannot unpack a tag that points at an image index ("tag is ambiguous"): it does not choose a
// platform. Anything that feeds umoci needs a per-platform tag, as app:amd64 here.
describe("umoci", () => {
  it("unpacks a single-platform tag with long and non-ASCII names, links and modes intact", async () => {
    const bundle = path.join(temp, "bundle");
    execFileSync("umoci", ["unpack", "--rootless", "--image", `${layout}:app:amd64`, bundle], {
      stdio: "ignore",
    });
    const rootfs = path.join(bundle, "rootfs");
    expect(await readFile(path.join(rootfs, "app/hello"), "utf8")).toBe("#!/bin/sh\necho amd64\n");
    expect((await stat(path.join(rootfs, "app/hello"))).mode & 0o777).toBe(0o755);
    expect(await readlink(path.join(rootfs, "app/link"))).toBe("hello");
    expect(await readFile(path.join(rootfs, "app/café/naïve.txt"), "utf8")).toBe("utf\n");
    expect(await readFile(path.join(rootfs, LONG), "utf8")).toBe("long\n");
    expect((await stat(path.join(rootfs, "app"))).mtimeMs).toBe(0);
  });
});
