import { describe, expect, it } from "vitest";
import { sha256Digest } from "../../oci/digest.js";
import { formatWhen, renderInfo, renderPrune } from "./cache.js";

const NOW = Date.UTC(2025, 0, 10, 12, 0);
const PLAIN = { interactive: false, color: false };

describe("formatWhen", () => {
  it.each([
    { ago: 0, text: "2025-01-10 12:00 UTC (just now)" },
    { ago: 59_000, text: "2025-01-10 11:59 UTC (just now)" },
    { ago: 60_000, text: "2025-01-10 11:59 UTC (1 minute ago)" },
    { ago: 3 * 3_600_000, text: "2025-01-10 09:00 UTC (3 hours ago)" },
    { ago: 2 * 86_400_000, text: "2025-01-08 12:00 UTC (2 days ago)" },
  ])("$ago ms ago → $text", ({ ago, text }) => {
    expect(formatWhen(NOW - ago, NOW)).toBe(text);
  });
});

describe("renderInfo", () => {
  it.each([
    {
      description: "an empty cache with the default limit",
      info: { dir: "/p/.dray/cache", entries: 0, bytes: 0, services: 0 },
      limit: { bytes: 5 * 1024 ** 3, source: "default" as const },
      lines: [
        "cache    .dray/cache",
        "entries  0 entries for 0 services",
        "size     0 B of 5.37 GB (0%)",
        "limit    default; set DRAY_CACHE_MAX to change it",
      ],
    },
    {
      description: "a used cache with a limit from the environment",
      info: {
        dir: "/p/.dray/cache",
        entries: 1,
        bytes: 250_000_000,
        services: 1,
        oldestUse: NOW - 86_400_000,
        newestUse: NOW,
      },
      limit: { bytes: 1_000_000_000, source: "DRAY_CACHE_MAX" as const },
      lines: [
        "cache       .dray/cache",
        "entries     1 entry for 1 service",
        "size        250.0 MB of 1.00 GB (25%)",
        "limit       from DRAY_CACHE_MAX",
        "oldest use  2025-01-09 12:00 UTC (1 day ago)",
        "newest use  2025-01-10 12:00 UTC (just now)",
      ],
    },
  ])("shows $description", ({ info, limit, lines }) => {
    expect(renderInfo(info, limit, NOW, "/p").split("\n")).toEqual(lines);
  });
});

describe("renderPrune", () => {
  const evicted = [{ key: sha256Digest("k"), service: "api", lastUsed: NOW - 3_600_000 }];
  const short = sha256Digest("k").slice(7, 19);
  it.each([
    {
      description: "what was evicted and freed",
      result: { evicted, blobsRemoved: 3, bytesFreed: 12_000_000, bytesAfter: 1000 },
      dryRun: false,
      lines: [
        "SERVICE  KEY           LAST USED",
        `api      ${short}  2025-01-10 11:00 UTC (1 hour ago)`,
        "evicted 1 entry, removed 3 blobs (12.0 MB); cache is 1.00 KB of 0 B (from --max-size)",
      ],
    },
    {
      description: "a dry run in the conditional mood",
      result: { evicted: [], blobsRemoved: 1, bytesFreed: 10, bytesAfter: 0 },
      dryRun: true,
      lines: [
        "dry run: nothing to evict, would remove 1 blob (10 B); cache would be 0 B of 0 B (from --max-size)",
      ],
    },
  ])("reports $description", ({ result, dryRun, lines }) => {
    const text = renderPrune(result, { bytes: 0, source: "--max-size" }, { dryRun, now: NOW, style: PLAIN });
    expect(text.split("\n")).toEqual(lines);
  });
});
