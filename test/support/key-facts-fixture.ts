/**
 * A small monorepo described by the facts a key is computed from, and nothing else: no file here
 * exists on disk. api and orders share a package, api uses an external module and maps static
 * files, orders has a registry base pinned in dray.lock, tools a layout base on two platforms,
 * web is a command service.
 */
import type { CommandService, GoService, ResolvedService } from "../../src/config/types.js";
import { type GoServiceListing, listingKey } from "../../src/fingerprint/go-graph.js";
import { inputKeys, type KeySettings } from "../../src/fingerprint/input-keys.js";
import { type KeyFacts, layoutBaseId } from "../../src/fingerprint/key-facts.js";
import type { ServiceKey } from "../../src/fingerprint/types.js";
import type { StoredPackage } from "../../src/go/index.js";
import type { Platform } from "../../src/oci/types.js";
import { digest } from "./digest.js";

/** The project root every path hangs off. */
export const root = "/repo";
/** Platforms the services are built for. */
export const amd64: Platform = { os: "linux", architecture: "amd64" };
export const arm64: Platform = { os: "linux", architecture: "arm64" };
export const armv7: Platform = { os: "linux", architecture: "arm", variant: "v7" };

/** The settings every kind of service has, at their defaults. */
function common(name: string) {
  return {
    name,
    context: root,
    platforms: [amd64],
    base: { kind: "scratch" } as const,
    files: [],
    annotations: {},
    deploy: { replicas: 1, publish: [], health: undefined, restart: "unless-stopped", env: {} } as const,
    live: { sync: [], run: [], restart: true },
    dependsOn: [],
    image: {
      entrypoint: undefined,
      args: undefined,
      env: {},
      ports: [],
      user: undefined,
      labels: {},
      workdir: undefined,
    },
  };
}

/** A Go service at ./services/<name> with every setting at its default. */
export function goService(name: string, overrides: Partial<GoService> = {}): GoService {
  return {
    ...common(name),
    kind: "go",
    package: `./services/${name}`,
    packageDir: `${root}/services/${name}`,
    binaryPath: `/app/${name}`,
    cgo: false,
    link: "static",
    debug: false,
    ldflags: [],
    tags: [],
    ...overrides,
  };
}

/** A command service in ./<name> running `node build.mjs`. */
export function commandService(name: string, overrides: Partial<CommandService> = {}): CommandService {
  return {
    ...common(name),
    kind: "command",
    context: `${root}/${name}`,
    command: ["node", "build.mjs"],
    output: `${root}/${name}/dist`,
    to: "/srv/www",
    buildEnv: { NODE_ENV: "production" },
    inputs: ["src/**", "build.mjs"],
    ...overrides,
  };
}

const shop = { path: "example.com/shop", main: true };
const fmt: StoredPackage = { importPath: "fmt", standard: true, files: [] };
const httpkit: StoredPackage = {
  importPath: "example.com/shop/internal/httpkit",
  dir: "internal/httpkit",
  standard: false,
  module: shop,
  files: ["httpkit.go", "json.go"],
};
const units: StoredPackage = {
  importPath: "example.org/units",
  standard: false,
  module: { path: "example.org/units", version: "v1.2.0", main: false },
  files: [],
};

function mainPackage(name: string): StoredPackage {
  return {
    importPath: `example.com/shop/services/${name}`,
    dir: `services/${name}`,
    standard: false,
    module: shop,
    files: ["main.go"],
  };
}

/** api and orders share httpkit; only api uses the external module; tools stands alone. */
const closures: Record<string, StoredPackage[]> = {
  api: [mainPackage("api"), httpkit, units, fmt],
  orders: [mainPackage("orders"), httpkit, fmt],
  tools: [mainPackage("tools"), fmt],
};

/** The services of the project: api, orders, tools (Go) and web (command). */
export function projectServices(): ResolvedService[] {
  return [
    goService("api", {
      platforms: [amd64, arm64],
      files: [{ from: `${root}/services/api/static`, to: "/srv/static" }],
      image: {
        entrypoint: undefined,
        args: undefined,
        env: { PORT: "8080" },
        ports: ["8080/tcp"],
        user: "65532:65532",
        labels: {},
        workdir: undefined,
      },
    }),
    goService("orders", {
      base: {
        kind: "registry",
        image: "reg.test/base/static:1",
        registry: "reg.test",
        repository: "base/static",
        tag: "1",
        insecure: false,
      },
    }),
    goService("tools", {
      platforms: [amd64, armv7],
      base: { kind: "layout", layout: `${root}/bases`, ref: "static" },
      ldflags: ["-X=main.version=1"],
    }),
    commandService("web", { files: [{ from: `${root}/web/robots.txt`, to: "/srv/www/robots.txt" }] }),
  ];
}

/** The facts `gatherKeyFacts` would gather for `services` in this project. */
export function projectFacts(services: readonly ResolvedService[]): KeyFacts {
  const listings = new Map<string, GoServiceListing>();
  for (const service of services) {
    if (service.kind !== "go") continue;
    for (const platform of service.platforms) {
      listings.set(listingKey(service.name, platform), {
        service,
        platform,
        main: {
          moduleRoot: root,
          relPackage: `./services/${service.name}`,
          importPath: `example.com/shop/services/${service.name}`,
        },
        packages: closures[service.name]!,
      });
    }
  }
  return {
    toolchain: { go: "go", version: "go1.23.5", gocache: "/cache" },
    listings,
    modules: new Map([
      [root, { directive: "1.22", sums: new Map([["example.org/units v1.2.0", "h1:units="]]) }],
    ]),
    files: {
      "services/api/main.go": "a1",
      "services/orders/main.go": "b1",
      "services/tools/main.go": "c1",
      "internal/httpkit/httpkit.go": "d1",
      "internal/httpkit/json.go": "d2",
      "services/api/static/index.html": "e1",
      "services/api/static/logo.svg": "link:../logo.svg",
      "web/src/app.js": "f1",
      "web/build.mjs": "f2:x",
      "web/robots.txt": "f3",
      "README.md": "unread",
    },
    mapped: new Map([
      ["api", ["services/api/static/index.html", "services/api/static/logo.svg"]],
      ["orders", []],
      ["tools", []],
      ["web", ["web/robots.txt"]],
    ]),
    commandInputs: new Map([["web", ["web/build.mjs", "web/src/app.js"]]]),
    pins: { bases: { "reg.test/base/static:1": { digest: digest("1"), mediaType: "application/json" } } },
    layoutBases: new Map([
      [layoutBaseId(`${root}/bases`, "static", amd64), digest("2")],
      [layoutBaseId(`${root}/bases`, "static", armv7), digest("3")],
    ]),
  };
}

/** The run's settings: SOURCE_DATE_EPOCH 0, no Go variables in the environment. */
export const settings: KeySettings = { root, sourceDateEpoch: 0, env: {} };

/** Everything `inputKeys` takes, as one value a test case can change. */
export interface Input {
  services: ResolvedService[];
  facts: KeyFacts;
  settings: KeySettings;
}

/** A fresh copy of the project's services, facts and settings. */
export function project(): Input {
  const services = projectServices();
  return { services, facts: projectFacts(services), settings };
}

/** The keys of an input. */
export function keysOf(input: Input): Map<string, ServiceKey> {
  return inputKeys(input.services, input.facts, input.settings);
}

/** One platform's key of a service; throws when there is none. */
export function platformOf(keys: Map<string, ServiceKey>, service: string, platform: string) {
  const found = keys.get(service)?.platforms.find((p) => p.platform === platform);
  if (!found) throw new Error(`no key for ${service} ${platform}`);
  return found;
}
