import { afterEach, describe, expect, it, vi } from "vitest";
import { digest } from "../../test/support/digest.js";
import { keysOf, platformOf, project } from "../../test/support/key-facts-fixture.js";
import { keyOf } from "./input-keys.js";
import type { KeyFacts } from "./key-facts.js";

describe("inputKeys: what a key holds", () => {
  it("a Go service: toolchain, flags, platform env, main package, its closure's files, packages and modules", () => {
    const { ingredients } = platformOf(keysOf(project()), "api", "linux/arm64");
    expect(ingredients.settings).toMatchObject({
      base: "scratch",
      sourceDateEpoch: "0",
      "go.toolchain": "go1.23.5",
      "go.directive": "1.22",
      "go.main": "example.com/shop/services/api",
      "go.args": "build -trimpath -buildvcs=false -ldflags=-buildid= -s -w",
      "go.binary": "/app/api",
      "go.GOFLAGS": "",
      "go.GOEXPERIMENT": "",
      "go.env.GOOS": "linux",
      "go.env.GOARCH": "arm64",
      "go.env.GOARM64": "v8.0",
      "go.env.CGO_ENABLED": "0",
      "go.env.GOTOOLCHAIN": "local",
      "files.0": "services/api/static -> /srv/static",
    });
    // Only a module built in a go.work workspace has this setting, so other keys stay as they were.
    expect(ingredients.settings).not.toHaveProperty("go.work");
    expect(JSON.parse(ingredients.settings["image.config"]!)).toEqual({
      Entrypoint: ["/app/api"],
      Env: ["PORT=8080"],
      ExposedPorts: { "8080/tcp": {} },
      User: "65532:65532",
    });
    expect(ingredients.files).toEqual({
      "services/api/main.go": "a1",
      "internal/httpkit/httpkit.go": "d1",
      "internal/httpkit/json.go": "d2",
      "services/api/static/index.html": "e1",
      "services/api/static/logo.svg": "link:../logo.svg",
    });
    expect(Object.keys(ingredients.packages).sort()).toEqual([
      "example.com/shop/internal/httpkit",
      "example.com/shop/services/api",
    ]);
    expect(ingredients.modules).toEqual({ "example.org/units": "v1.2.0 h1:units=" });
  });

  it("a cgo service: its static link flags and tags, CGO_ENABLED=1; annotations only when set", () => {
    const input = project();
    input.services = input.services.map((s) =>
      s.name === "orders"
        ? { ...s, cgo: true, annotations: { "org.opencontainers.image.version": "v1.2.0" } }
        : s,
    );
    const { settings } = platformOf(keysOf(input), "orders", "linux/amd64").ingredients;
    expect(settings).toMatchObject({
      "go.args":
        "build -trimpath -buildvcs=false -ldflags=-buildid= -s -w -linkmode=external -extldflags=-static -tags=netgo,osusergo",
      "go.env.CGO_ENABLED": "1",
      "image.annotations": '{"org.opencontainers.image.version":"v1.2.0"}',
    });
    expect(platformOf(keysOf(input), "api", "linux/amd64").ingredients.settings).not.toHaveProperty(
      "image.annotations",
    );
  });

  it("a command service: its command, directories, declared env and input files, never Go settings", () => {
    const { ingredients } = platformOf(keysOf(project()), "web", "linux/amd64");
    expect(ingredients.settings).toMatchObject({
      "command.argv": '["node","build.mjs"]',
      "command.dir": "web",
      "command.output": "web/dist",
      "command.to": "/srv/www",
      "command.inputs": '["src/**","build.mjs"]',
      "command.env.NODE_ENV": "production",
      "files.0": "web/robots.txt -> /srv/www/robots.txt",
    });
    expect(Object.keys(ingredients.settings).filter((k) => k.startsWith("go."))).toEqual([]);
    expect(ingredients.files).toEqual({
      "web/build.mjs": "f2:x",
      "web/src/app.js": "f1",
      "web/robots.txt": "f3",
    });
    expect([ingredients.packages, ingredients.modules]).toEqual([{}, {}]);
  });

  const bases: { description: string; service: string; platform: string; base: string }[] = [
    { description: "no base is scratch", service: "api", platform: "linux/amd64", base: "scratch" },
    {
      description: "a registry base is the digest dray.lock pins for its reference",
      service: "orders",
      platform: "linux/amd64",
      base: `registry:reg.test/base/static@${digest("1")}`,
    },
    {
      description: "a layout base is its manifest's digest on the platform (amd64)",
      service: "tools",
      platform: "linux/amd64",
      base: `oci:static@${digest("2")}`,
    },
    {
      description: "a layout base is its manifest's digest on the platform (arm/v7)",
      service: "tools",
      platform: "linux/arm/v7",
      base: `oci:static@${digest("3")}`,
    },
  ];
  for (const c of bases) {
    it(`base: ${c.description}`, () => {
      expect(platformOf(keysOf(project()), c.service, c.platform).ingredients.settings["base"]).toBe(c.base);
    });
  }

  it("base: a digest written in the reference wins over dray.lock", () => {
    const input = project();
    input.services = input.services.map((s) =>
      s.name === "orders" && s.base.kind === "registry"
        ? { ...s, base: { ...s.base, digest: digest("9") } }
        : s,
    );
    const { ingredients } = platformOf(keysOf(input), "orders", "linux/amd64");
    expect(ingredients.settings["base"]).toBe(`registry:reg.test/base/static@${digest("9")}`);
  });

  it("platform variants: one key per platform, in the service's order, each with its own env", () => {
    const tools = keysOf(project()).get("tools")!;
    expect(tools.platforms.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm/v7"]);
    expect(tools.platforms.map((p) => p.ingredients.settings["go.env.GOAMD64"])).toEqual(["v1", undefined]);
    expect(tools.platforms.map((p) => p.ingredients.settings["go.env.GOARM"])).toEqual([undefined, "7"]);
    expect(tools.platforms[0]!.key).not.toBe(tools.platforms[1]!.key);
  });

  it("a key is the digest of its ingredients' canonical JSON; a service's combines its platforms' keys", () => {
    for (const key of keysOf(project()).values()) {
      for (const p of key.platforms) expect(p.key).toBe(keyOf(p.ingredients));
      expect(key.key).toBe(keyOf(key.platforms.map((p) => ({ platform: p.platform, key: p.key }))));
    }
  });

  it("the same services and facts always give the same keys, however the facts were collected", () => {
    const input = project();
    const reordered: KeyFacts = {
      ...input.facts,
      files: Object.fromEntries(Object.entries(input.facts.files).reverse()),
      listings: new Map([...input.facts.listings].reverse()),
    };
    const before = keysOf(input);
    expect(keysOf({ ...input, facts: reordered })).toEqual(before);
    expect(keysOf(project())).toEqual(before);
  });

  it("reads GOFLAGS and GOEXPERIMENT from the settings only, never from the process environment", () => {
    const before = keysOf(project());
    vi.stubEnv("GOFLAGS", "-mod=vendor");
    vi.stubEnv("GOEXPERIMENT", "rangefunc");
    expect(keysOf(project())).toEqual(before);
  });

  it("dependsOn is start order, not image content: it never moves a key", () => {
    const input = project();
    const before = keysOf(input);
    const ordered = { ...input, services: input.services.map((s) => ({ ...s, dependsOn: ["api", "web"] })) };
    expect(keysOf(ordered)).toEqual(before);
  });

  it("returns the keys in the order of the services given", () => {
    const input = project();
    expect([...keysOf({ ...input, services: [...input.services].reverse() }).keys()]).toEqual([
      "web",
      "tools",
      "orders",
      "api",
    ]);
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("inputKeys: stability", () => {
  // A key that moves invalidates every cache and reports every service as changed: these digests
  // may change only together with PACKING_FORMAT_VERSION or a deliberate new ingredient.
  it("gives this fixed project the keys it always had", () => {
    const keys = keysOf(project());
    expect(Object.fromEntries([...keys].map(([name, key]) => [name, key.key]))).toEqual({
      api: "sha256:9462e270716e70609bbb0aca60f012370f89cccd6c7782b572355b242d882e6e",
      orders: "sha256:a25e460eb0701978afa4fe6e766a27aa7061875cbafe0969d83978e3d6d150a8",
      tools: "sha256:783351cbb5ea73fba4f2eb0a3f77e5680e1e5d9f390fbfdea73b38907096b0b0",
      web: "sha256:62097d3dcfb427b5e6b570127413bae27994977f9600eb9deb6937eba8491828",
    });
  });
});
