import { describe, expect, it } from "vitest";
import { desiredService } from "../../test/support/deploy-fixtures.js";
import { digest } from "../../test/support/digest.js";
import { checkoutVerdict } from "./checkout.js";
import { planDeploy } from "./deploy-plan.js";
import { historyOf } from "./history.js";
import { planRollback } from "./rollback-plan.js";
import type { LiveService } from "./types.js";
import { desiredFromRecord, previousFor, readPrevious, readVersion, versionLabels } from "./versions.js";

const v1 = desiredService("api", {
  imageId: digest("1"),
  specDigest: digest("a"),
  image: "reg.test/shop/api@sha256:1",
});
const v2 = desiredService("api", { imageId: digest("2"), specDigest: digest("b"), deploy: { replicas: 3 } });
const source = { commit: "c".repeat(40), dirty: false };

/** What a target reads back after deploying `desired` over a version that kept `previous`. */
function liveOf(
  desired: typeof v1,
  labels: Record<string, string>,
  since = "2026-01-01T00:00:00Z",
): LiveService {
  const all = { "dray.image-id": desired.imageId, "dray.spec-digest": desired.specDigest, ...labels };
  const version = readVersion(all, since);
  const previous = readPrevious(all);
  return {
    name: desired.name,
    imageId: desired.imageId,
    specDigest: desired.specDigest,
    ids: ["x"],
    running: true,
    since,
    ...(version ? { version } : {}),
    ...(previous ? { previous } : {}),
  };
}

describe("version records", () => {
  it("round-trip through labels: commit, dirty marker, image, spec", () => {
    const labels = versionLabels({ ...v1, source: { commit: "d".repeat(40), dirty: true } }, undefined);
    expect(labels["dray.commit"]).toBe("d".repeat(40));
    expect(labels["dray.dirty"]).toBe("true");
    expect(labels["dray.previous"]).toBeUndefined();
    const version = readVersion(
      { "dray.image-id": v1.imageId, "dray.spec-digest": v1.specDigest, ...labels },
      "T",
    );
    expect(version).toEqual({
      imageId: v1.imageId,
      specDigest: v1.specDigest,
      image: v1.image,
      spec: v1.spec,
      commit: "d".repeat(40),
      dirty: true,
      since: "T",
    });
    expect(desiredFromRecord("api", version!)).toEqual({
      ...v1,
      source: { commit: "d".repeat(40), dirty: true },
    });
  });

  it("the commit is never part of the identity: a new commit with the same image and spec is kept as it runs", () => {
    const running = liveOf(v1, versionLabels({ ...v1, source }, undefined));
    const [action] = planDeploy(
      [{ ...v1, source: { commit: "e".repeat(40), dirty: true } }],
      new Map([["api", running]]),
      {
        prune: false,
        known: new Set(["api"]),
      },
    );
    expect(action!.kind).toBe("keep");
  });

  it("labels written before versions were kept, or malformed, read as no version", () => {
    expect(
      readVersion({ "dray.image-id": v1.imageId, "dray.spec-digest": v1.specDigest }, "T"),
    ).toBeUndefined();
    expect(readPrevious({ "dray.previous": "{not json" })).toBeUndefined();
    expect(readPrevious({ "dray.previous": JSON.stringify({ imageId: "sha256:short" }) })).toBeUndefined();
  });

  it("a new version keeps the running one as previous; a redeploy of the same version keeps the one before", () => {
    const running = liveOf(v1, versionLabels({ ...v1, source }, undefined));
    const replace = {
      kind: "replace" as const,
      desired: v2,
      live: running,
      reasons: ["image changed" as const],
    };
    const kept = previousFor(replace)!;
    expect(kept).toMatchObject({ imageId: v1.imageId, commit: source.commit, since: "2026-01-01T00:00:00Z" });

    const after = liveOf(v2, versionLabels(v2, kept), "2026-02-01T00:00:00Z");
    const restart = { kind: "replace" as const, desired: v2, live: after, reasons: ["not running" as const] };
    expect(previousFor(restart)).toEqual(kept);
    expect(previousFor({ kind: "create", desired: v1, reasons: ["new"] })).toBeUndefined();
  });

  it("rollback plans the previous version; twice in a row goes back again", () => {
    const first = liveOf(v1, versionLabels(v1, undefined));
    const second = liveOf(
      v2,
      versionLabels(v2, previousFor({ kind: "replace", desired: v2, live: first, reasons: [] })),
    );
    const [back] = planRollback(new Map([["api", second]]), ["api"], "local");
    expect(back!.desired).toEqual(v1);
    expect(back!.reasons).toEqual(["rollback to the previous version"]);
    const rolled = liveOf(v1, versionLabels(v1, previousFor(back!)));
    const [again] = planRollback(new Map([["api", rolled]]), [], "local");
    expect(again!.desired).toEqual(v2);
  });

  it("rollback of a service without a previous version, or not deployed, names it and plans nothing", () => {
    const first = liveOf(v1, versionLabels(v1, undefined));
    const live = new Map([["api", first]]);
    expect(() => planRollback(live, ["api"], "local")).toThrow("api has no previous version on target local");
    expect(() => planRollback(live, ["api", "web"], "local")).toThrow(
      "cannot roll back: api has no previous version on target local; web is not deployed on target local",
    );
    expect(() => planRollback(live, [], "prod")).toThrow("nothing to roll back on target prod");
  });

  it("history lists the current version, then the previous one until the current started", () => {
    const first = liveOf(v1, versionLabels({ ...v1, source }, undefined), "2026-01-01T00:00:00Z");
    const second = liveOf(
      v2,
      versionLabels(v2, previousFor({ kind: "replace", desired: v2, live: first, reasons: [] })),
      "2026-02-01T00:00:00Z",
    );
    expect(historyOf(second)).toEqual([
      {
        role: "current",
        imageId: v2.imageId,
        image: v2.image,
        specDigest: v2.specDigest,
        since: "2026-02-01T00:00:00Z",
      },
      {
        role: "previous",
        imageId: v1.imageId,
        image: v1.image,
        specDigest: v1.specDigest,
        commit: source.commit,
        dirty: false,
        since: "2026-01-01T00:00:00Z",
        until: "2026-02-01T00:00:00Z",
      },
    ]);
  });

  it("the checkout verdict: same, what would change, or unknown without a build", () => {
    const live = liveOf(v1, {});
    expect(checkoutVerdict({ imageId: v1.imageId, specDigest: v1.specDigest }, live)).toEqual({
      kind: "same",
    });
    expect(checkoutVerdict({ imageId: v2.imageId, specDigest: v1.specDigest }, live)).toEqual({
      kind: "changes",
      what: ["image"],
    });
    expect(checkoutVerdict({ imageId: v1.imageId, specDigest: v2.specDigest }, undefined)).toEqual({
      kind: "changes",
      what: ["new"],
    });
    expect(checkoutVerdict({ unknown: "not built" }, live)).toEqual({ kind: "unknown", why: "not built" });
  });
});
