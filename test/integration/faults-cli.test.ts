/**
 * Ordinary faults end in one clear error with the right exit code, never "this is a bug": bad
 * option values, a closed output pipe, `--trace` on every command, dray.yaml mistakes found at
 * config time, a command that leaves no output, and dray's own state directory in the way.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { drayBin, runDray } from "../support/dray.js";
import { commandService, faultProject, hasStack } from "../support/fault-project.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A project of one command service `site` that writes dist/index.html, plus `extra` dray.yaml lines. */
async function siteProject(extra: string[] = [], command = "mkdir -p dist && echo hi > dist/index.html") {
  const root = await faultProject(
    ["project: faults", "services:", ...commandService("site", command), ...extra],
    {
      "site/README": "the site\n",
    },
  );
  dirs.push(path.dirname(root));
  return root;
}

describe("output to a closed pipe", () => {
  it("ends quietly when the reader is gone before dray writes", async () => {
    const root = await siteProject();
    const child = spawn(process.execPath, [drayBin, "schema"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Nobody reads: the first write meets a closed pipe (EPIPE).
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("dray graph --json | head -c 100 ends quietly with output past 64 KB", async () => {
    // One main package importing 400 packages: the graph's JSON is far beyond a pipe's 64 KB buffer.
    const files: Record<string, string> = { "go.mod": "module example.com/wide\n\ngo 1.22\n" };
    const imports: string[] = [];
    for (let i = 0; i < 400; i++) {
      const name = `package_with_a_rather_long_name_${i}`;
      files[`internal/${name}/p.go`] = `package ${name}\n\nconst N = ${i}\n`;
      imports.push(`\t_ "example.com/wide/internal/${name}"`);
    }
    files["cmd/app/main.go"] = `package main\n\nimport (\n${imports.join("\n")}\n)\n\nfunc main() {}\n`;
    const root = await faultProject(["project: wide", "services:", "  app:", "    go: ./cmd/app"], files);
    dirs.push(path.dirname(root));
    const full = await runDray(["graph", "--json"], { cwd: root });
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout.length).toBeGreaterThan(64 * 1024);

    const piped = spawnSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${drayBin}" graph --json | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true", NO_COLOR: "1" } },
    );
    expect(piped.stderr).toBe("exit=0\n");
  });
});

describe("--trace on every command", () => {
  it.each(
    [["schema"], ["cache", "info"], ["cache", "prune", "--dry-run"], ["plan"], ["why", "site"]].map(
      (args) => ({ args, command: args.join(" ") }),
    ),
  )("dray $command writes a Chrome trace", async ({ args }) => {
    const root = await siteProject();
    const result = await runDray(["--trace", "trace.json", ...args], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const trace = JSON.parse(await readFile(path.join(root, "trace.json"), "utf8")) as {
      traceEvents: { name: string }[];
    };
    expect(trace.traceEvents.some((e) => e.name === "load config" || e.name === "json schema")).toBe(true);
    expect(result.stderr).toContain("trace written to trace.json");
  });
});

describe("bad option values through the real binary", () => {
  it("--jobs 0 says what is allowed and exits 2", async () => {
    const root = await siteProject();
    const result = await runDray(["build", "--jobs", "0"], { cwd: root });
    expect(result.stderr).toContain(
      "error: option '-j, --jobs <n>' argument '0' is invalid. Expected a whole number of 1 or more",
    );
    expect(result.code).toBe(2);
  });
});

describe("faults in the project", () => {
  it("two files: entries with one destination: exit 2 at the line, before anything is built", async () => {
    const root = await siteProject([
      "    files:",
      '      - "README:/etc/motd"',
      "      - { from: README, to: /etc/motd/ }",
    ]);
    const result = await runDray(["build"], { cwd: root });
    expect(result.stderr).toMatch(
      /dray\.yaml:9:9 {2}services\.site\.files\[1\]: "\/etc\/motd\/" is also the destination of files\[0\]/,
    );
    expect(result.code).toBe(2);
    expect(hasStack(result.stderr)).toBe(false);
  });

  it("a command that produces no output directory: exit 1, saying which directory was expected", async () => {
    const root = await siteProject([], "echo built somewhere else");
    const result = await runDray(["build"], { cwd: root });
    expect(result.stderr).toMatch(/service site: the build command `.*` left no directory dist\/ in .*site/);
    expect(result.stderr).toMatch(/hint: Make the command write the image's files into dist\//);
    expect(result.code).toBe(1);
    expect(hasStack(result.stderr)).toBe(false);
  });

  it(".dray being a file: exit 3, naming it", async () => {
    const root = await siteProject();
    await writeFile(path.join(root, ".dray"), "not a directory\n");
    const result = await runDray(["build"], { cwd: root });
    expect(result.stderr).toContain(
      `error: ${path.join(root, ".dray")} is a file, where dray needs a directory`,
    );
    expect(result.code).toBe(3);
    expect(hasStack(result.stderr)).toBe(false);
  });

  it("a directory where dray keeps a file (.dray/oci/index.json): exit 3, naming it", async () => {
    const root = await siteProject();
    expect((await runDray(["build"], { cwd: root })).code).toBe(0);
    const index = path.join(root, ".dray", "oci", "index.json");
    await rm(index);
    await mkdir(index);
    await writeFile(path.join(root, "site", "README"), "changed\n");
    const result = await runDray(["build"], { cwd: root });
    expect(result.stderr).toMatch(/index\.json is a directory, where dray needs a file/);
    expect(result.code).toBe(3);
    expect(hasStack(result.stderr)).toBe(false);
  });

  it("invalid UTF-8 in dray.yaml is reported at its line", async () => {
    const root = await siteProject();
    const file = path.join(root, "dray.yaml");
    await writeFile(
      file,
      Buffer.concat([await readFile(file), Buffer.from("# caf"), Buffer.from([0xe9, 0x0a])]),
    );
    const result = await runDray(["build"], { cwd: root });
    expect(result.stderr).toMatch(/dray\.yaml:7:6 {2}invalid UTF-8 \(byte 0xE9\)/);
    expect(result.code).toBe(2);
  });
});
