/**
 * `dray verify [service…]`: prove that builds are reproducible, or say exactly what is not; and
 * `dray verify --image REF`: prove that a registry's image is what its recorded commit builds.
 */
import { ExitCode, type ExitCodeValue, UserError } from "../../errors/index.js";
import { renderTable, shortDigest, type Tracer } from "../../report/index.js";
import { Color, outputStyle, paint } from "../../terminal/index.js";
import { describeVariations, verifyProject } from "../../verify/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface VerifyFlags extends GlobalOptions {
  json?: boolean;
  keep?: boolean;
  image?: string;
  insecure?: boolean;
}

/** Run `dray verify`, or with `--image`, verify a registry's image by rebuilding it. */
export function runVerify(names: readonly string[], flags: VerifyFlags): Promise<ExitCodeValue> {
  return runReported(
    "verify",
    flags,
    async (tracer) => {
      const image = flags.image;
      if (image === undefined && flags.insecure) {
        throw new UserError("--insecure is for dray verify --image", {
          exitCode: ExitCode.usage,
          hint: "dray verify without --image talks to no registry; leave --insecure out.",
        });
      }
      if (image === undefined) return verify(names, flags, tracer);
      if (names.length > 0) {
        throw new UserError("dray verify --image takes no service names", {
          exitCode: ExitCode.usage,
          hint: "The image's provenance names its service; run `dray verify --image REF` alone.",
        });
      }
      const { verifyImageCommand } = await import("./verify-image.js");
      return verifyImageCommand(image, flags, tracer);
    },
    { summaryOnRequest: true },
  );
}

async function verify(names: readonly string[], flags: VerifyFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags, tracer);
  const style = outputStyle(process.stderr, process.env);
  const { results, conditions } = await tracer.span("verify", () =>
    verifyProject({
      config,
      only: names,
      env: process.env,
      drayCommand: [process.execPath, process.argv[1]!],
      ...(flags.keep ? { keep: true } : {}),
      ...(flags.json
        ? {}
        : { onPhase: (phase: string) => process.stderr.write(`${paint(style, Color.dim, `· ${phase}`)}\n`) }),
    }),
  );
  const mismatches = results.filter((r) => !r.identical);
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ identical: mismatches.length === 0, conditions, results }, null, 2)}\n`,
    );
  } else {
    const rows = results.map((r) => [
      r.service,
      r.platform,
      shortDigest(r.imageId.here),
      r.identical ? paint(style, Color.green, "identical") : paint(style, Color.red, "DIFFERENT"),
      r.distributionDigest ? shortDigest(r.distributionDigest.here) : "-",
    ]);
    const lines = [renderTable(["SERVICE", "PLATFORM", "IMAGE ID", "RESULT", "PUSHED AS"], rows)];
    for (const r of mismatches)
      lines.push(`${paint(style, Color.red, "✗")} ${r.service} ${r.platform}: ${r.reason}`);
    lines.push(...describeVariations(conditions.variations));
    lines.push(
      mismatches.length === 0
        ? paint(
            style,
            Color.green,
            `reproducible: ${results.length} image${results.length === 1 ? "" : "s"} identical`,
          )
        : paint(
            style,
            Color.red,
            `not reproducible: ${mismatches.length} of ${results.length} images differ`,
          ),
    );
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  return mismatches.length === 0 ? ExitCode.ok : ExitCode.failed;
}
