/**
 * The text `dray init` writes. Written by hand rather than serialized, so the file carries the
 * comments a first-time user needs: what each part does and what else could go there.
 */
import type { FoundModule, MainPackage } from "./discover.js";
import { ASIDE_DIRS } from "./select.js";

/** What goes into a new dray.yaml. */
export interface InitTemplateInput {
  project: string;
  /** The modules found, for the comment that lists them (none: no comment). */
  modules?: readonly FoundModule[];
  /** Main packages: services, and test or tool programs (`aside`), written commented out. */
  packages: readonly MainPackage[];
}

const reserved = new Set(["true", "false", "null", "yes", "no", "on", "off", "y", "n"]);

/** A string as YAML: plain when that reads back as the same string, else double-quoted (JSON is valid YAML). */
export function yamlString(value: string): string {
  const plain = /^[A-Za-z_./][A-Za-z0-9_./-]*$/.test(value) && !reserved.has(value.toLowerCase());
  return plain ? value : JSON.stringify(value);
}

const header = `# dray.yaml — how dray builds this monorepo's services into reproducible OCI images.
# Written by \`dray init\`; edit it freely. Every key is described in the configuration
# reference in dray's README.md and in dray's JSON Schema (schema/dray.schema.json).
# For completion in editors with a YAML language server, save the schema next to this
# file (\`dray schema > dray.schema.json\`) and make this the first line:
#   # yaml-language-server: $schema=./dray.schema.json
`;

/** One service's lines under `services:`, with the settings examples when `examples` is set. */
function service(pkg: MainPackage, examples: boolean): string[] {
  const lines = [`  ${yamlString(pkg.name)}:`, `    go: ${yamlString(pkg.package)}`];
  if (pkg.cgo)
    lines.push(
      `    cgo: true # ${cgoReason(pkg.cgo)}; linked statically (cgo: dynamic needs a base with libc)`,
    );
  if (examples) {
    // Examples once, on the first service: enough to copy from without burying the file in comments.
    const staticDir = pkg.package === "." ? "static" : `${pkg.package.slice(2)}/static`;
    lines.push(
      "    # Settings for the image; uncomment and adjust. Paths on the host are relative to the",
      "    # project root (the service's context), paths in the image are absolute.",
      "    # ports: [8080]",
      '    # env: { PORT: "8080" }',
      '    # user: "65532:65532"',
      "    # files:",
      `    #   - { from: ${yamlString(staticDir)}, to: /srv/static }`,
    );
  }
  return lines;
}

/** `text` as "  # "-prefixed comment lines of at most 96 characters, as the rest of the file. */
function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let line = "  #";
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > 96) {
      lines.push(line);
      line = "  #";
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

/** A test or tool program's entry, commented out so that uncommenting it makes it a service. */
function asideService(pkg: MainPackage): string[] {
  return service(pkg, false).map((line) => `  # ${line.slice(2)}`);
}

/**
 * The entries under `services:` for `packages`: services first, then test and tool programs
 * commented out under a note. `examples` puts the settings examples on the first service.
 */
export function renderServiceEntries(packages: readonly MainPackage[], examples = false): string {
  const active = packages.filter((p) => !p.aside);
  const aside = packages.filter((p) => p.aside);
  const lines = active.flatMap((pkg, i) => service(pkg, examples && i === 0));
  if (aside.length > 0) {
    const dirs = `${ASIDE_DIRS.slice(0, -1).join(", ")} or ${ASIDE_DIRS.at(-1)}`;
    lines.push(
      ...wrapComment(`Test and tool programs (in a directory named ${dirs}), not built unless uncommented:`),
      ...aside.flatMap(asideService),
    );
  }
  return lines.join("\n");
}

function mainsCount(module: FoundModule): string {
  const count =
    module.mains === 0 ? "no main packages" : `${module.mains} main package${module.mains === 1 ? "" : "s"}`;
  return module.skipped ? `${count} (not listed: ${module.skipped})` : count;
}

/** The comment listing every module found and how go runs in it, in aligned columns. */
export function renderModules(modules: readonly FoundModule[]): string {
  const rows = modules.map((m) => [
    m.dir,
    m.path || "(no module path)",
    m.goVersion ? `go ${m.goVersion}` : "no go line",
    [m.mod === "vendor" ? "vendored" : "", m.workspace ? `in ${m.workspace}` : ""].filter(Boolean).join(", "),
    mainsCount(m),
  ]);
  // Columns empty in every row (no module vendored or in a workspace) are left out.
  const columns = rows[0]!.map((_, col) => col).filter((col) => rows.some((r) => r[col] !== ""));
  const widths = columns.map((col) => Math.max(...rows.map((r) => r[col]!.length)));
  const table = rows.map((row) => {
    const cells = columns.map((col, i) =>
      i === columns.length - 1 ? row[col]! : row[col]!.padEnd(widths[i]!),
    );
    return `#   ${cells.join("  ")}`;
  });
  return [
    "# The Go modules below this directory. dray runs go in each one as go itself would (with the",
    "# module's vendor/ directory where it applies, inside the go.work that uses it), so they need",
    '# no settings here; see "Monorepo layouts" in dray\'s README.md.',
    ...table,
  ].join("\n");
}

/** Why a main needs cgo, in a few words: the first package that has only cgo files, else the first that has some. */
function cgoReason(use: NonNullable<MainPackage["cgo"]>): string {
  const more = (list: readonly string[]) => (list.length > 1 ? ` (and ${list.length - 1} more)` : "");
  return use.only.length > 0
    ? `${use.only[0]} has only cgo files${more(use.only)}`
    : `${use.packages[0]} uses cgo${more(use.packages)}`;
}

/** The commented dray.yaml for the discovered packages. */
export function renderInitConfig(input: InitTemplateInput): string {
  const modules = input.modules && input.modules.length > 0 ? `\n${renderModules(input.modules)}\n` : "";
  return `${header}
# The project's name: lowercase letters, digits and "-". It names images and marks deployments.
project: ${yamlString(input.project)}

# Platforms every service is built for; a service may list its own. Add linux/arm64 for ARM hosts.
platforms: [linux/amd64]

# The image every service starts from. "scratch" is empty: a static Go binary needs nothing else.
# base: scratch
${modules}
# One entry per service. "go:" is the directory of a Go main package; dray compiles it
# reproducibly (-trimpath, no build IDs, CGO_ENABLED=0) and puts the binary at /app/<name>.
services:
${renderServiceEntries(input.packages, true)}
`;
}
