import { describe, expect, it } from "vitest";
import { withDocuments } from "./blob-source.js";
import type { Digest } from "./types.js";

const d = (n: number) => `sha256:${String(n).padStart(64, "0")}` as Digest;

describe("withDocuments", () => {
  const disk = new Map([
    [d(1), Buffer.from("layer on disk")],
    [d(2), Buffer.from("manifest on disk")],
  ]);
  const reads: Digest[] = [];
  const layout = {
    root: "/p/.dray/oci",
    readBlob: async (digest: Digest) => {
      reads.push(digest);
      const data = disk.get(digest);
      if (!data) throw new Error(`no blob ${digest}`);
      return data;
    },
  };

  it("answers held documents from memory and everything else from the source", async () => {
    const source = withDocuments(layout, new Map([[d(2), Buffer.from("manifest in memory")]]));
    expect(source.root).toBe("/p/.dray/oci");
    expect((await source.readBlob(d(2))).toString()).toBe("manifest in memory");
    expect((await source.readBlob(d(1))).toString()).toBe("layer on disk");
    expect(reads).toEqual([d(1)]);
  });

  it("is the source itself when nothing is held", () => {
    expect(withDocuments(layout, new Map())).toBe(layout);
  });
});
