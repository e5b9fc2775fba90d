import { describe, expect, it } from "vitest";
import { digest } from "../../test/support/digest.js";
import { armv7, type Input, keysOf, project, root } from "../../test/support/key-facts-fixture.js";
import type { ResolvedService } from "../config/types.js";
import type { KeySettings } from "./input-keys.js";
import { layoutBaseId } from "./key-facts.js";

describe("inputKeys: what changes a key", () => {
  const withFile = (path: string, value: string) => (input: Input) => {
    input.facts = { ...input.facts, files: { ...input.facts.files, [path]: value } };
  };
  const withSettings = (extra: Partial<KeySettings>) => (input: Input) => {
    input.settings = { ...input.settings, ...extra };
  };
  const withModule = (extra: { directive?: string; workspace?: string }) => (input: Input) => {
    const facts = input.facts.modules.get(root)!;
    input.facts = { ...input.facts, modules: new Map([[root, { ...facts, ...extra }]]) };
  };
  const cases: { description: string; change: (input: Input) => void; changed: string[] }[] = [
    { description: "nothing", change: () => {}, changed: [] },
    {
      description: "a service's own Go file",
      change: withFile("services/api/main.go", "a2"),
      changed: ["api"],
    },
    {
      description: "a Go file in a package two services import",
      change: withFile("internal/httpkit/json.go", "d3"),
      changed: ["api", "orders"],
    },
    { description: "a file no service reads", change: withFile("README.md", "edited"), changed: [] },
    { description: "a command service's input", change: withFile("web/src/app.js", "f9"), changed: ["web"] },
    {
      description: "a file behind a files: mapping",
      change: withFile("services/api/static/index.html", "e2"),
      changed: ["api"],
    },
    {
      description: "a file's executable bit",
      change: withFile("web/build.mjs", "f2"),
      changed: ["web"],
    },
    {
      description: "a GOFLAGS flag that changes binaries (-race, -gcflags, -tags…)",
      change: withSettings({ env: { GOFLAGS: "-mod=mod -race" } }),
      changed: ["api", "orders", "tools"],
    },
    {
      description: "GOFLAGS with only flags that never change a binary (dray decides -mod per module)",
      change: withSettings({
        env: { GOFLAGS: "-mod=vendor -modcacherw -p=4 -v -x -buildvcs=false -trimpath" },
      }),
      changed: [],
    },
    {
      description: "a godebug line in go.mod (it sets the binaries' default GODEBUG)",
      change: withModule({ directive: "1.22 godebug panicnil=1" }),
      changed: ["api", "orders", "tools"],
    },
    {
      description: "being built in a go.work workspace",
      change: withModule({ workspace: "go 1.22; use ." }),
      changed: ["api", "orders", "tools"],
    },
    {
      description: "GOEXPERIMENT in the environment",
      change: withSettings({ env: { GOEXPERIMENT: "loopvar" } }),
      changed: ["api", "orders", "tools"],
    },
    {
      description: "an environment variable Go output does not depend on",
      change: withSettings({ env: { HOME: "/elsewhere", GOPATH: "/go" } }),
      changed: [],
    },
    {
      description: "the Go toolchain's version",
      change: (input) => {
        input.facts = { ...input.facts, toolchain: { go: "go", version: "go1.24.0", gocache: "/cache" } };
      },
      changed: ["api", "orders", "tools"],
    },
    {
      description: "the toolchain's path and build cache (not its version)",
      change: (input) => {
        input.facts = {
          ...input.facts,
          toolchain: { go: "/opt/go/bin/go", version: "go1.23.5", gocache: "/tmp/c" },
        };
      },
      changed: [],
    },
    {
      description: "SOURCE_DATE_EPOCH",
      change: withSettings({ sourceDateEpoch: 1700000000 }),
      changed: ["api", "orders", "tools", "web"],
    },
    {
      description: "the project root moving (every path in a key is relative to it)",
      change: (input) => {
        const moved = (p: string) => p.replace(root, "/elsewhere");
        input.settings = { ...input.settings, root: "/elsewhere" };
        input.services = input.services.map((s) => ({
          ...s,
          context: moved(s.context),
          files: s.files.map((f) => ({ ...f, from: moved(f.from) })),
          ...(s.kind === "command" ? { output: moved(s.output) } : {}),
        })) as ResolvedService[];
      },
      changed: [],
    },
    {
      description: "the pin in dray.lock moving",
      change: (input) => {
        input.facts = {
          ...input.facts,
          pins: {
            bases: { "reg.test/base/static:1": { digest: digest("7"), mediaType: "application/json" } },
          },
        };
      },
      changed: ["orders"],
    },
    {
      description: "a layout base's manifest on one platform",
      change: (input) => {
        const layoutBases = new Map(input.facts.layoutBases);
        layoutBases.set(layoutBaseId(`${root}/bases`, "static", armv7), digest("8"));
        input.facts = { ...input.facts, layoutBases };
      },
      changed: ["tools"],
    },
    {
      description: "go.sum's hash of a module one service uses",
      change: (input) => {
        const sums = new Map([["example.org/units v1.2.0", "h1:other="]]);
        input.facts = { ...input.facts, modules: new Map([[root, { directive: "1.22", sums }]]) };
      },
      changed: ["api"],
    },
    {
      description: "go.mod's go directive",
      change: (input) => {
        const sums = input.facts.modules.get(root)!.sums;
        input.facts = { ...input.facts, modules: new Map([[root, { directive: "1.23", sums }]]) };
      },
      changed: ["api", "orders", "tools"],
    },
    {
      description: "a service's build tags",
      change: (input) => {
        input.services = input.services.map((s) => (s.name === "orders" ? { ...s, tags: ["netgo"] } : s));
      },
      changed: ["orders"],
    },
    {
      description: "cgo: dynamic instead of cgo: true (another link, another binary)",
      change: (input) => {
        const cgo = (link: "static" | "dynamic") => (s: ResolvedService) =>
          s.name === "orders" ? { ...s, cgo: true, link } : s;
        input.services = input.services.map(cgo("static"));
        const before = keysOf(input).get("orders")!.key;
        input.services = input.services.map(cgo("dynamic"));
        expect(keysOf(input).get("orders")!.key).not.toBe(before);
      },
      changed: ["orders"],
    },
    {
      description: "a rendered version stamp in ldflags (another commit)",
      change: (input) => {
        input.services = input.services.map((s) =>
          s.name === "tools" ? { ...s, ldflags: ["-X=main.version=1", "-X=main.commit=0123abcd"] } : s,
        );
      },
      changed: ["tools"],
    },
    {
      description: "a service's annotations",
      change: (input) => {
        input.services = input.services.map((s) =>
          s.name === "api" ? { ...s, annotations: { "org.opencontainers.image.revision": "0123abcd" } } : s,
        );
      },
      changed: ["api"],
    },
    {
      description: "a service's image settings",
      change: (input) => {
        input.services = input.services.map((s) =>
          s.name === "web" ? { ...s, image: { ...s.image, labels: { team: "frontend" } } } : s,
        );
      },
      changed: ["web"],
    },
  ];

  for (const c of cases) {
    it(`${c.description} → ${c.changed.length === 0 ? "no key" : c.changed.join(", ")} changes`, () => {
      const before = keysOf(project());
      const input = project();
      c.change(input);
      const after = keysOf(input);
      const changed = [...before.keys()].filter((name) => before.get(name)!.key !== after.get(name)!.key);
      expect(changed).toEqual(c.changed);
    });
  }

  it("a changed layout base on one platform changes only that platform's key", () => {
    const before = keysOf(project());
    const input = project();
    const layoutBases = new Map(input.facts.layoutBases);
    layoutBases.set(layoutBaseId(`${root}/bases`, "static", armv7), digest("8"));
    const after = keysOf({ ...input, facts: { ...input.facts, layoutBases } });
    expect(
      after.get("tools")!.platforms.map((p, i) => p.key === before.get("tools")!.platforms[i]!.key),
    ).toEqual([true, false]);
  });
});
