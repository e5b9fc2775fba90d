/** The supply-chain keys of dray.yaml — `sbom`, `sign`, a target's `require` — as users write them. */
import { describe, expect, it } from "vitest";
import { problemsOfLines, resolveLines } from "../../test/support/config-lines.js";
import type { Exists } from "./check-paths.js";

const exists: Exists = () => "directory";
const base = ["project: shop", "services:", "  api:", "    go: ./services/api"];

describe("supply-chain settings", () => {
  it("default to SPDX SBOMs, no signing key and no policy", () => {
    const config = resolveLines(base, { exists });
    expect(config.sbom).toBe("spdx");
    expect(config.sign).toBeUndefined();
    expect(config.policies).toEqual({});
  });

  it("resolve the format, the key and each target's policy to absolute paths", () => {
    const config = resolveLines(
      [
        ...base,
        "registry: 127.0.0.1:5000/shop",
        "sbom: cyclonedx",
        "sign: { key: ../keys/cosign.key }",
        "targets:",
        "  prod: { type: swarm, require: { signed: keys/cosign.pub } }",
        "  local: { type: docker }",
      ],
      { exists },
    );
    expect(config.sbom).toBe("cyclonedx");
    expect(config.sign).toEqual({ key: "/keys/cosign.key" });
    expect(config.policies).toEqual({ prod: { signedBy: "/repo/keys/cosign.pub" } });
  });

  const cases = [
    {
      description: "an unknown SBOM format",
      lines: [...base, "sbom: syft"],
      expected: /sbom: "syft" is not an SBOM format — use "spdx" \(the default\), "cyclonedx", or false/,
    },
    {
      description: "a policy without a registry to find signatures in",
      lines: [...base, "targets:", "  local: { type: docker, require: { signed: cosign.pub } }"],
      expected: /targets\.local\.require: a signature requirement needs a registry/,
    },
    {
      description: "a sign section without a key",
      lines: [...base, "sign: {}"],
      expected: /sign\.key/,
    },
  ];
  it.each(cases)("report $description at its line", ({ lines, expected }) => {
    expect(problemsOfLines(lines, { exists }).join("\n")).toMatch(expected);
  });
});
