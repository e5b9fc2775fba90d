/**
 * The text `dray init` writes. Written by hand rather than serialized, so the file carries the
 * comments a first-time user needs: what each part does and what else could go there.
 */
import type { MainPackage } from "./discover.js";

/** What goes into a new dray.yaml. */
export interface InitTemplateInput {
  project: string;
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

function service(pkg: MainPackage, first: boolean): string {
  const lines = [`  ${yamlString(pkg.name)}:`, `    go: ${yamlString(pkg.package)}`];
  if (pkg.cgo)
    lines.push(
      `    cgo: true # ${cgoReason(pkg.cgo)}; linked statically (cgo: dynamic needs a base with libc)`,
    );
  if (first) {
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
  return lines.join("\n");
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
  const services = input.packages.map((pkg, i) => service(pkg, i === 0)).join("\n");
  return `${header}
# The project's name: lowercase letters, digits and "-". It names images and marks deployments.
project: ${yamlString(input.project)}

# Platforms every service is built for; a service may list its own. Add linux/arm64 for ARM hosts.
platforms: [linux/amd64]

# The image every service starts from. "scratch" is empty: a static Go binary needs nothing else.
# base: scratch

# One entry per service. "go:" is the directory of a Go main package; dray compiles it
# reproducibly (-trimpath, no build IDs, CGO_ENABLED=0) and puts the binary at /app/<name>.
services:
${services}
`;
}
