import { describe, expect, it } from "vitest";
import { exportCommit } from "./commit-export.js";

describe("exportCommit", () => {
  // The path comes from a statement in a registry: it is refused before git or the disk is touched.
  it.each([
    "../../etc/dray.yaml",
    "/etc/dray.yaml",
    "shop/./dray.yaml",
    "shop//dray.yaml",
    "",
  ])("refuses dray.yaml at %j", async (configPath) => {
    await expect(
      exportCommit({ from: "/nonexistent", commit: "c".repeat(40), configPath, scratch: "/nonexistent" }),
    ).rejects.toThrow("not a plain relative path");
  });
});
