import { describe, expect, it } from "vitest";
import { keyOf } from "../fingerprint/service-keys.js";
import type { Ingredients, ServiceKey } from "../fingerprint/types.js";
import type { Digest } from "../oci/types.js";
import { type BaselineService, countStatuses, detectChanges } from "./detect-changes.js";

function ingredients(files: Record<string, string>, settings: Record<string, string> = {}): Ingredients {
  return { format: 1, platform: "linux/amd64", settings, files, packages: {}, modules: {} };
}

function serviceKey(service: string, ing: Ingredients): ServiceKey {
  const key = keyOf(ing);
  return { service, key: keyOf([key]), platforms: [{ platform: ing.platform, key, ingredients: ing }] };
}

function baselineOf(key: ServiceKey, imageId?: Digest): BaselineService {
  return {
    key: key.key,
    platforms: key.platforms.map((p) => ({ ...p, ...(imageId ? { imageId } : {}) })),
  };
}

const idA = "sha256:aaaa" as Digest;
const idB = "sha256:bbbb" as Digest;

describe("detectChanges", () => {
  const api = serviceKey("api", ingredients({ "a.go": "1" }));
  const apiEdited = serviceKey("api", ingredients({ "a.go": "2" }));

  it("classifies unchanged, changed, rebuilt-identical, new and removed, sorted by service", () => {
    const web = serviceKey("web", ingredients({ "index.html": "1" }));
    const webEdited = serviceKey("web", ingredients({ "index.html": "2" }));
    const users = serviceKey("users", ingredients({ "u.go": "1" }));
    const gone = serviceKey("gone", ingredients({}));
    const current = new Map([
      ["api", apiEdited],
      ["web", webEdited],
      ["users", users],
      ["fresh", serviceKey("fresh", ingredients({ "f.go": "1" }))],
    ]);
    const baseline = new Map([
      ["api", baselineOf(api, idA)],
      ["web", baselineOf(web, idA)],
      ["users", baselineOf(users, idA)],
      ["gone", baselineOf(gone)],
    ]);
    // api rebuilt to the same image ID; web rebuilt to a new one.
    const images = new Map([
      ["api", new Map([["linux/amd64", idA]])],
      ["web", new Map([["linux/amd64", idB]])],
    ]);
    const plan = detectChanges(current, baseline, images);
    expect(plan.map((e) => [e.service, e.status, e.reason])).toEqual([
      ["api", "rebuilt-identical", "image unchanged despite: file a.go"],
      ["fresh", "new", "not in the baseline"],
      ["gone", "removed", "no longer in dray.yaml"],
      ["users", "unchanged", ""],
      ["web", "changed", "file index.html"],
    ]);
    expect(countStatuses(plan)).toEqual({
      unchanged: 1,
      changed: 1,
      "rebuilt-identical": 1,
      new: 1,
      removed: 1,
    });
  });

  it("calls a change 'changed' while the new image is not known yet", () => {
    const plan = detectChanges(
      new Map([["api", apiEdited]]),
      new Map([["api", baselineOf(api, idA)]]),
      new Map(),
    );
    expect(plan[0]!.status).toBe("changed");
    expect(plan[0]!.platforms[0]!.changes).toEqual([{ kind: "file", path: "a.go", change: "modified" }]);
  });

  it("explains a settings change", () => {
    const envChanged = serviceKey("api", ingredients({ "a.go": "1" }, { "image.config": '{"Env":["X=2"]}' }));
    const before = serviceKey("api", ingredients({ "a.go": "1" }, { "image.config": '{"Env":["X=1"]}' }));
    const plan = detectChanges(
      new Map([["api", envChanged]]),
      new Map([["api", baselineOf(before)]]),
      new Map(),
    );
    expect(plan[0]!.reason).toBe("setting image.config");
  });
});
