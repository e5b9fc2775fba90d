import { describe, expect, it } from "vitest";
import { desiredService } from "../../test/support/deploy-fixtures.js";
import { withProvenance } from "./source-stamp.js";
import type { DeployAction, LiveService } from "./types.js";

const commit = "a".repeat(40);
const live: LiveService = {
  name: "api",
  imageId: undefined,
  specDigest: undefined,
  ids: ["x"],
  running: true,
};

describe("withProvenance", () => {
  it("stamps what starts with the commit standing in for git, and leaves kept services and identities alone", async () => {
    const api = desiredService("api");
    const actions: DeployAction[] = [
      { kind: "create", desired: api, reasons: ["new"] },
      { kind: "keep", desired: desiredService("web"), live: { ...live, name: "web" } },
    ];
    const stamped = await withProvenance(actions, "/nonexistent", { DRAY_GIT_COMMIT: commit });
    expect(stamped[0]).toEqual({ ...actions[0], desired: { ...api, source: { commit, dirty: false } } });
    expect(stamped[1]).toBe(actions[1]);
  });

  it("asks nothing when nothing starts, and outside git stamps nothing", async () => {
    const keep: DeployAction[] = [{ kind: "keep", desired: desiredService("api"), live }];
    expect(await withProvenance(keep, "/nonexistent", {})).toBe(keep);
    const create: DeployAction[] = [{ kind: "create", desired: desiredService("api"), reasons: ["new"] }];
    expect(await withProvenance(create, "/", {})).toEqual(create);
  });
});
