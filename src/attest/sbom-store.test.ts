import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { entryFor } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { ServiceKey } from "../fingerprint/index.js";
import {
  assembleImage,
  assembleImageSet,
  createLayer,
  type Digest,
  openLayout,
  type Platform,
  platformName,
} from "../oci/index.js";
import { ensureSboms } from "./sbom-store.js";

const TAR = { mtime: 0, uid: 0, gid: 0 };
const platforms: Platform[] = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64" },
];

/** A two-platform image as dray lays it out: a base layer, the files layer, the binary layer. */
async function builtImage(dir: string) {
  const base = await createLayer([{ path: "etc/os-release", type: "file", data: Buffer.from("base\n") }], {
    ...TAR,
    comment: "base",
  });
  const files = await createLayer([{ path: "srv/static/a.txt", type: "file", data: Buffer.from("a\n") }], {
    ...TAR,
    comment: "dray: files",
  });
  const images = [];
  for (const platform of platforms) {
    const binary = await createLayer(
      [{ path: "app/api", type: "file", mode: 0o755, data: Buffer.from(`binary ${platform.architecture}`) }],
      { ...TAR, comment: "dray: app binary /app/api" },
    );
    images.push(assembleImage({ platform, layers: [base, files, binary], config: {}, created: 0 }));
  }
  const set = assembleImageSet(images);
  const layout = await openLayout(dir, { create: true });
  await layout.writeImageSet(set);
  const key: ServiceKey = {
    service: "api",
    key: `sha256:${"1".repeat(64)}`,
    platforms: platforms.map((p, i) => ({
      platform: platformName(p),
      key: `sha256:${String(i + 2).repeat(64)}` as Digest,
      ingredients: {
        format: 2,
        platform: platformName(p),
        settings: { "go.toolchain": "go1.23.5", "go.main": "example.com/shop/services/api", base: "scratch" },
        files: {},
        packages: {},
        modules: { "github.com/google/uuid": "v1.3.0 h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=" },
      },
    })),
  };
  return { layout, set, entry: entryFor(key, set, 0) };
}

describe("SBOMs in the layout", () => {
  it("are written once per image, tagged by service and platform, listing only dray's layers", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dray-sbom-store-"));
    const { layout, set, entry } = await builtImage(dir);
    const config = { root: dir, sourceDateEpoch: 0 } as ResolvedConfig;
    const options = {
      config,
      service: "api",
      entry,
      format: "spdx" as const,
      layout,
      source: layout,
      mainModule: "example.com/shop",
      drayVersion: "0.1.0",
    };
    const sboms = await ensureSboms(options);
    expect(sboms.map((s) => s.subject.descriptor.digest)).toEqual([
      set.top.digest,
      ...set.images.map((i) => i.manifest.descriptor.digest),
    ]);
    const tags = await layout.listTags();
    expect(Object.keys(tags).sort()).toEqual(["api.linux-amd64.sbom", "api.linux-arm64.sbom", "api.sbom"]);
    const amd64 = JSON.parse(sboms[1]!.document.toString("utf8"));
    expect(amd64.files.map((f: { fileName: string }) => f.fileName)).toEqual([
      "./app/api",
      "./srv/static/a.txt",
    ]);
    const index = JSON.parse(sboms[0]!.document.toString("utf8"));
    expect(index.files).toHaveLength(4);

    const blobs = await layout.listBlobs();
    const again = await ensureSboms(options);
    expect(again.map((s) => s.artifact.descriptor.digest)).toEqual(
      sboms.map((s) => s.artifact.descriptor.digest),
    );
    expect(again.map((s) => s.document.toString())).toEqual(sboms.map((s) => s.document.toString()));
    expect(await layout.listBlobs()).toEqual(blobs);

    const cyclonedx = await ensureSboms({ ...options, format: "cyclonedx" });
    expect(JSON.parse(cyclonedx[0]!.document.toString("utf8")).bomFormat).toBe("CycloneDX");
    expect((await layout.resolve("api.sbom"))?.digest).toBe(cyclonedx[0]!.artifact.descriptor.digest);
    // The images themselves are untouched.
    expect((await layout.resolve("api.sbom"))?.digest).not.toBe(set.top.digest);
    for (const image of set.images) expect(await layout.hasBlob(image.manifest.descriptor.digest)).toBe(true);
  });
});
