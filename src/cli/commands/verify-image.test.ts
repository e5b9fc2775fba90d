import { describe, expect, it } from "vitest";
import type { Digest } from "../../oci/index.js";
import { outputStyle } from "../../terminal/index.js";
import type { ClaimResult, ImageVerification } from "../../verify/index.js";
import { renderImageVerification } from "./verify-image.js";

const d = (c: string): Digest => `sha256:${c.repeat(64)}`;
const plain = outputStyle({ isTTY: false } as NodeJS.WriteStream, { NO_COLOR: "1" });
const COMMIT = "c".repeat(40);
const IMAGE = `127.0.0.1:5000/shop/api@${d("0")}`;

const rebuilt = (
  identical: boolean,
  extra: Partial<Extract<ClaimResult, { status: "rebuilt" }>> = {},
): ClaimResult => ({
  status: "rebuilt",
  service: "api",
  commit: COMMIT,
  config: { recorded: d("9"), checkout: d("9") },
  inputKey: { recorded: d("1"), rebuilt: d("1") },
  keyDifferences: [],
  notes: [],
  match: {
    top: { registry: d("0"), rebuilt: identical ? d("0") : d("7"), identical },
    platforms: [
      {
        platform: "linux/amd64",
        registry: { imageId: d("2"), manifestDigest: d("3") },
        rebuilt: identical
          ? { imageId: d("2"), manifestDigest: d("3") }
          : { imageId: d("5"), manifestDigest: d("6") },
        identical,
        ...(identical ? {} : { reason: "layer 1, file srv/static/robots.txt: content differs (…)" }),
      },
    ],
    identical,
  },
  ...extra,
});

const render = (claims: ClaimResult[], identical: boolean) =>
  renderImageVerification({ image: IMAGE, claims, identical } satisfies ImageVerification, plain).join("\n");

describe("renderImageVerification", () => {
  it("claims a proof only for a byte-identical rebuild", () => {
    const text = render([rebuilt(true)], true);
    expect(text).toContain(`api rebuilt from commit ${COMMIT}:`);
    expect(text).toMatch(/linux\/amd64 +222222222222 +222222222222 +identical/);
    expect(text).toContain(`✓ ${IMAGE} is byte-identical to a rebuild of commit cccccccccccc`);
  });

  it("names the differing file, the key's differences and the notes", () => {
    const text = render(
      [
        rebuilt(false, {
          keyDifferences: ["linux/amd64: setting go.toolchain: go1.23.5 → go1.24.0"],
          notes: ["built by dray 0.0.9, rebuilt by dray 0.1.0"],
        }),
      ],
      false,
    );
    expect(text).toContain("✗ api linux/amd64: layer 1, file srv/static/robots.txt: content differs");
    expect(text).toContain("    linux/amd64: setting go.toolchain: go1.23.5 → go1.24.0");
    expect(text).toContain("  note: built by dray 0.0.9, rebuilt by dray 0.1.0");
    expect(text).toContain(`✗ ${IMAGE} is not what its commit builds: the rebuild differs`);
    expect(text).not.toContain("byte-identical");
  });

  it("says why a dirty tree cannot be proven", () => {
    const text = render(
      [
        {
          status: "unprovable",
          service: "api",
          commit: COMMIT,
          dirty: true,
          reason: "it was built from a tree with uncommitted changes",
        },
      ],
      false,
    );
    expect(text).toBe(
      [
        "✗ cannot prove api from its provenance: it was built from a tree with uncommitted changes",
        `✗ ${IMAGE} cannot be proven by rebuilding`,
      ].join("\n"),
    );
  });
});
