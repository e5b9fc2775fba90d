import { describe, expect, it } from "vitest";
import type { ResolvedService } from "../config/types.js";
import { planUpdate } from "./classify.js";

const root = "/repo";
function service(
  kind: "go" | "command",
  live: Partial<ResolvedService["live"]> = {},
  files: ResolvedService["files"] = [],
) {
  return {
    name: "api",
    kind,
    files,
    live: { sync: [], run: [], restart: true, ...live },
  } as unknown as ResolvedService;
}

describe("planUpdate", () => {
  it("compiles a Go service when its sources change", () => {
    expect(planUpdate(service("go"), ["/repo/services/api/main.go", "/repo/internal/x/x.go"], root)).toEqual({
      kind: "live",
      compile: true,
      sync: [],
      reason: "changed: services/api/main.go, internal/x/x.go",
    });
  });

  it("syncs files a live rule covers, to the matching container path", () => {
    const s = service("command", { sync: [{ from: "/repo/web/src", to: "/srv/www" }] });
    expect(planUpdate(s, ["/repo/web/src/css/site.css"], root)).toMatchObject({
      kind: "live",
      compile: false,
      sync: [{ from: "/repo/web/src/css/site.css", to: "/srv/www/css/site.css" }],
    });
  });

  it("rebuilds, saying why, when a file packed by `files` has no sync rule", () => {
    const s = service("go", {}, [{ from: "/repo/services/api/static", to: "/srv/static" }]);
    expect(
      planUpdate(s, ["/repo/services/api/main.go", "/repo/services/api/static/index.html"], root),
    ).toEqual({
      kind: "rebuild",
      reason:
        "services/api/static/index.html is packed into the image by `files` and no `live.sync` rule covers it",
    });
  });

  it("rebuilds a command service for any change no rule covers", () => {
    expect(planUpdate(service("command"), ["/repo/web/build.mjs"], root)).toEqual({
      kind: "rebuild",
      reason: "web/build.mjs is not covered by a `live.sync` rule",
    });
  });

  it("a sync rule wins over the default for files it covers", () => {
    const s = service("go", { sync: [{ from: "/repo/services/api/static", to: "/srv/static" }] }, [
      { from: "/repo/services/api/static", to: "/srv/static" },
    ]);
    expect(planUpdate(s, ["/repo/services/api/static/a.css"], root)).toMatchObject({
      kind: "live",
      compile: false,
      sync: [{ to: "/srv/static/a.css" }],
    });
  });
});
