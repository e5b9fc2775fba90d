import { describe, expect, it } from "vitest";
import type { CacheEntry } from "../../cache/index.js";
import type { PublishReport } from "../../publish/index.js";
import { pushJson, renderPushTable } from "./push-report.js";

const PLAIN = { interactive: false, color: false };
const digest = (c: string) => `sha256:${c.repeat(64)}` as const;

function report(service: string, layers?: PublishReport["layers"]): PublishReport {
  return {
    service,
    reference: `127.0.0.1:5000/shop/${service}@${digest("a")}`,
    digest: digest("a"),
    entry: {} as CacheEntry,
    ...(layers ? { layers } : {}),
    result: {
      repository: `shop/${service}`,
      tags: ["latest"],
      top: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: digest("a"), size: 1 },
      blobs: [{ digest: digest("b"), size: 100, action: "uploaded" }],
      bytesSent: 100,
      bytesSkipped: 0,
      manifestsPut: 2,
    },
    ms: 12,
  };
}

describe("the push report", () => {
  it("says how the layers of the pushed form were had, in the table and in JSON", () => {
    const reports = [
      report("api", { compressed: 2, reused: 1, remote: 0 }),
      report("web", { compressed: 0, reused: 0, remote: 3 }),
    ];
    expect(renderPushTable(reports, PLAIN)).toContain(
      "layers gzipped for the registry: 2 now, 1 reused from earlier, 3 already in the registry",
    );
    expect(pushJson(reports)[1]).toMatchObject({ layers: { compressed: 0, reused: 0, remote: 3 } });
  });

  it("has no such line when nothing was put into distribution form", () => {
    expect(renderPushTable([report("api")], PLAIN)).not.toContain("gzipped");
    expect(pushJson([report("api")])[0]).not.toHaveProperty("layers");
  });
});
