/**
 * Resolution of services: what later stages get for each service of a valid dray.yaml — every
 * default applied, absolute paths, one form per value, overrides of the project's settings, and
 * services sorted by name.
 */
import { describe, expect, it } from "vitest";
import { resolveLines as resolve } from "../../test/support/config-lines.js";

describe("resolution of services", () => {
  it("applies every default to a go service", () => {
    const config = resolve(["project: shop", "services:", "  api:", "    go: services/api"]);
    expect(config).toMatchObject({
      root: "/repo",
      file: "/repo/dray.yaml",
      project: "shop",
      sourceDateEpoch: 0,
    });
    expect(config.services).toEqual([
      {
        kind: "go",
        name: "api",
        context: "/repo",
        platforms: [{ os: "linux", architecture: "amd64" }],
        base: { kind: "scratch" },
        files: [],
        annotations: {},
        deploy: { replicas: 1, publish: [], health: undefined, restart: "unless-stopped", env: {} },
        live: { sync: [], run: [], restart: true },
        dependsOn: [],
        image: {
          entrypoint: ["/app/api"],
          args: undefined,
          env: {},
          ports: [],
          user: undefined,
          labels: {},
          workdir: undefined,
        },
        package: "./services/api",
        packageDir: "/repo/services/api",
        binaryPath: "/app/api",
        cgo: false,
        link: "static",
        debug: false,
        ldflags: [],
        tags: [],
      },
    ]);
  });

  it("applies every default to a command service", () => {
    const config = resolve([
      "project: shop",
      "services:",
      "  web:",
      "    command: node build.mjs",
      "    dir: web",
    ]);
    expect(config.services).toEqual([
      {
        kind: "command",
        name: "web",
        context: "/repo/web",
        platforms: [{ os: "linux", architecture: "amd64" }],
        base: { kind: "scratch" },
        files: [],
        annotations: {},
        deploy: { replicas: 1, publish: [], health: undefined, restart: "unless-stopped", env: {} },
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
        command: ["sh", "-c", "node build.mjs"],
        output: "/repo/web/dist",
        to: "/app",
        buildEnv: {},
        inputs: ["**/*"],
      },
    ]);
  });

  it("turns every setting into its one form", () => {
    const config = resolve([
      "project: shop",
      "platforms: [linux/amd64, linux/arm/v7]",
      "base: oci:images:alpine:3.20",
      "services:",
      "  api:",
      "    go: ./services/api",
      "    context: services",
      "    binary: /usr/local/bin/api",
      "    cgo: true",
      "    debug: true",
      "    ldflags: [-X=main.version=1]",
      "    tags: [netgo]",
      "    entrypoint: /usr/local/bin/api serve",
      "    args: --verbose",
      "    env: { PORT: 8080, DEBUG: true, NAME: api }",
      '    ports: [8080, "8080", "53/udp", "9090/tcp"]',
      "    user: 65532",
      "    labels: { tier: 2 }",
      "    workdir: /srv/",
      "    files: [api/static:/srv/static, { from: config/app.json, to: /etc//app.json }]",
    ]);
    const [api] = config.services;
    expect(api).toMatchObject({
      context: "/repo/services",
      platforms: [
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm", variant: "v7" },
      ],
      base: { kind: "layout", layout: "/repo/images", ref: "alpine:3.20" },
      binaryPath: "/usr/local/bin/api",
      cgo: true,
      debug: true,
      ldflags: ["-X=main.version=1"],
      tags: ["netgo"],
      files: [
        { from: "/repo/services/api/static", to: "/srv/static" },
        { from: "/repo/services/config/app.json", to: "/etc/app.json" },
      ],
      image: {
        entrypoint: ["/usr/local/bin/api serve"],
        args: ["--verbose"],
        env: { PORT: "8080", DEBUG: "true", NAME: "api" },
        ports: ["8080/tcp", "53/udp", "9090/tcp"],
        user: "65532",
        labels: { tier: "2" },
        workdir: "/srv/",
      },
    });
  });

  it("lets a service override the project's platforms and base, and takes argv lists as they are", () => {
    const config = resolve([
      "project: shop",
      "platforms: [linux/amd64, linux/arm64]",
      "base: oci:images:alpine",
      "services:",
      "  web:",
      "    command: [node, build.mjs]",
      "    dir: web",
      "    output: out/site",
      "    to: /srv/www",
      "    buildEnv: { NODE_ENV: production, CI: true }",
      "    inputs: [src/**, '!src/**/*.test.js']",
      "    platforms: [linux/arm64]",
      "    base: scratch",
      "    entrypoint: [/bin/server, --root]",
    ]);
    expect(config.services[0]).toMatchObject({
      platforms: [{ os: "linux", architecture: "arm64" }],
      base: { kind: "scratch" },
      command: ["node", "build.mjs"],
      output: "/repo/web/out/site",
      to: "/srv/www",
      buildEnv: { NODE_ENV: "production", CI: "true" },
      inputs: ["src/**", "!src/**/*.test.js"],
      image: { entrypoint: ["/bin/server", "--root"] },
    });
  });

  it("resolves dependsOn sorted and each name once", () => {
    const config = resolve([
      "project: shop",
      "services:",
      "  web:",
      "    go: ./web",
      "    dependsOn: [db, api, db]",
      "  api:",
      "    go: ./api",
      "  db:",
      "    go: ./db",
    ]);
    expect(config.services.map((s) => [s.name, s.dependsOn])).toEqual([
      ["api", []],
      ["db", []],
      ["web", ["api", "db"]],
    ]);
  });

  it("sorts services by name and normalizes the package path", () => {
    const config = resolve([
      "project: shop",
      "services:",
      "  zeta:",
      "    go: ./z/../zeta",
      "  alpha:",
      "    go: .",
    ]);
    expect(config.services.map((s) => [s.name, s.kind === "go" ? s.package : ""])).toEqual([
      ["alpha", "."],
      ["zeta", "./zeta"],
    ]);
  });
});
