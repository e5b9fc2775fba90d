/**
 * The C compiler of a cgo build. On its own platform the host's `cc` does; for another one go
 * needs a cross compiler, and without one it fails deep in cgo with a message about the wrong
 * compiler flags. So dray looks for the target's `<triple>-gcc` first, and says plainly when
 * there is none — before go runs.
 */
import { accessSync, constants } from "node:fs";
import path from "node:path";
import type { Platform } from "../oci/index.js";
import type { GoBuildSettings } from "./flags.js";

/** GOARCH of the machine dray runs on, from Node's name for it. */
export function hostGoArch(nodeArch: string = process.arch): string {
  const names: Record<string, string> = { x64: "amd64", ia32: "386", ppc64: "ppc64le" };
  return names[nodeArch] ?? nodeArch;
}

/** The GNU triple Debian's cross compilers for a Linux platform are named by, e.g. aarch64-linux-gnu. */
export function gnuTriple(platform: Platform): string | undefined {
  if (platform.os !== "linux") return undefined;
  const triples: Record<string, string> = {
    amd64: "x86_64-linux-gnu",
    arm64: "aarch64-linux-gnu",
    "386": "i686-linux-gnu",
    ppc64le: "powerpc64le-linux-gnu",
    s390x: "s390x-linux-gnu",
    riscv64: "riscv64-linux-gnu",
  };
  if (platform.architecture === "arm")
    return platform.variant === "v6" ? "arm-linux-gnueabi" : "arm-linux-gnueabihf";
  return triples[platform.architecture];
}

/** What the C side of a build needs. */
export type CCompiler =
  /** No cgo, the host's own platform, or a CC the user chose: nothing to add. */
  | { kind: "default" }
  /** A cross compiler found on PATH: set as CC (and CXX when there is one). */
  | { kind: "cross"; env: Record<string, string> }
  /** A cross build with no cross compiler: what was looked for. */
  | { kind: "missing"; compiler: string; triple: string | undefined };

/** The host dray runs on, and how to find a program on its PATH. */
export interface Host {
  os: string;
  arch: string;
  onPath: (program: string) => boolean;
}

/** The C compiler `settings` need on `platform`. Pure, given the host. */
export function cCompilerFor(
  settings: GoBuildSettings,
  platform: Platform,
  env: NodeJS.ProcessEnv,
  host: Host,
): CCompiler {
  if (!settings.cgo) return { kind: "default" };
  if (platform.os === host.os && platform.architecture === host.arch) return { kind: "default" };
  // The user's CC is their choice for this build; dray does not second-guess it.
  if (env["CC"]) return { kind: "default" };
  const triple = gnuTriple(platform);
  const gcc = triple && `${triple}-gcc`;
  if (!gcc || !host.onPath(gcc))
    return {
      kind: "missing",
      compiler: gcc ?? `a C compiler for ${platform.os}/${platform.architecture}`,
      triple,
    };
  const gxx = `${triple}-g++`;
  return { kind: "cross", env: { CC: gcc, ...(host.onPath(gxx) ? { CXX: gxx } : {}) } };
}

/** The machine dray runs on, with PATH from `env`. */
export function currentHost(env: NodeJS.ProcessEnv): Host {
  const dirs = (env["PATH"] ?? "").split(path.delimiter).filter((d) => d !== "");
  return {
    os: process.platform,
    arch: hostGoArch(),
    onPath: (program) =>
      dirs.some((dir) => {
        try {
          accessSync(path.join(dir, program), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  };
}

/** What to install or set when a cross compiler is missing. */
export function missingCompilerHint(
  missing: Extract<CCompiler, { kind: "missing" }>,
  platform: string,
): string {
  const install = missing.triple
    ? `Install ${missing.compiler} (Debian: apt-get install gcc-${missing.triple.replace("x86_64", "x86-64")})`
    : `Install ${missing.compiler}`;
  return `${install} or set CC to a C cross compiler for ${platform}; or build this service for ${platform} without cgo (cgo: false), or leave ${platform} out of its platforms.`;
}
