/** `dray verify --image REF`: rebuild a registry image from the commit its provenance names, and compare. */
import type { ResolvedConfig } from "../../config/index.js";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import { parseReference } from "../../oci/index.js";
import { renderTable, shortDigest, type Tracer } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";
import type { ImageVerification } from "../../verify/index.js";
import { listenForInterrupt } from "../interrupt.js";
import { loadProjectConfig } from "../load-project.js";

/** The flags `dray verify --image` reads. */
export interface VerifyImageFlags {
  dir: string;
  config?: string;
  json?: boolean;
  keep?: boolean;
  insecure?: boolean;
}

/** Verifies the image `reference`; exit 0 only when its rebuild is byte-identical. */
export async function verifyImageCommand(
  reference: string,
  flags: VerifyImageFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const ref = parseReference(reference);
  const config = await loadProjectConfig(flags, tracer);
  const style = outputStyle(process.stderr, process.env);
  const { verifyImage } = await import("../../verify/index.js");
  const { createRegistryClient } = await import("../../registry/index.js");
  const client = createRegistryClient(ref.registry, clientOptions(config, ref.registry, flags));
  const interruption = listenForInterrupt((text) => process.stderr.write(`${text}\n`));
  let verification: ImageVerification;
  try {
    verification = await tracer.span("verify image", () =>
      verifyImage({
        config,
        reference: ref,
        client,
        env: process.env,
        tracer,
        signal: interruption.signal,
        ...(flags.keep ? { keep: true } : {}),
        ...(flags.json
          ? {}
          : {
              onPhase: (phase: string) => process.stderr.write(`${paint(style, Color.dim, `· ${phase}`)}\n`),
            }),
      }),
    );
  } finally {
    interruption.dispose();
    client.close();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(verification, null, 2)}\n`);
  else process.stdout.write(`${renderImageVerification(verification, style).join("\n")}\n`);
  return verification.identical ? ExitCode.ok : ExitCode.failed;
}

/** The project's registry settings (TLS, CA) when REF is on its registry; else `--insecure` alone. */
function clientOptions(config: ResolvedConfig, registry: string, flags: VerifyImageFlags) {
  const own = config.registry?.registry === registry ? config.registry : undefined;
  return {
    insecure: flags.insecure === true || own?.insecure === true,
    ...(own?.caFile ? { caFile: own.caFile } : {}),
  };
}

/** The result for a terminal: a table per rebuilt commit, what differs, and one verdict line. */
export function renderImageVerification(v: ImageVerification, style: OutputStyle): string[] {
  const lines: string[] = [];
  const bad = (text: string) => paint(style, Color.red, text);
  for (const claim of v.claims) {
    if (claim.status === "unprovable") {
      lines.push(bad(`✗ cannot prove ${claim.service} from its provenance: ${claim.reason}`));
      continue;
    }
    lines.push(`${claim.service} rebuilt from commit ${claim.commit}:`);
    const rows = claim.match.platforms.map((p) => [
      p.platform,
      shortDigest(p.registry.imageId),
      p.rebuilt ? shortDigest(p.rebuilt.imageId) : "-",
      p.identical ? paint(style, Color.green, "identical") : bad("DIFFERENT"),
    ]);
    lines.push(renderTable(["PLATFORM", "REGISTRY IMAGE ID", "REBUILT IMAGE ID", "RESULT"], rows));
    if (claim.keyDifferences.length > 0) {
      lines.push("  the rebuild's input key is not the recorded one:");
      for (const line of claim.keyDifferences) lines.push(`    ${line}`);
    }
    for (const note of claim.notes) lines.push(`  note: ${note}`);
    for (const p of claim.match.platforms)
      if (!p.identical) lines.push(bad(`✗ ${claim.service} ${p.platform}: ${p.reason ?? "differs"}`));
    if (!claim.match.top.identical && claim.match.platforms.every((p) => p.identical)) {
      lines.push(
        bad(
          `✗ ${claim.service}: the images are identical but the registry's ${shortDigest(claim.match.top.registry)} is not the rebuild's ${claim.match.top.rebuilt ? shortDigest(claim.match.top.rebuilt) : "(none)"}`,
        ),
      );
    }
  }
  const rebuilt = v.claims.filter((c) => c.status === "rebuilt");
  if (v.identical) {
    const commits = rebuilt.map((c) => c.commit.slice(0, 12)).join(", ");
    lines.push(paint(style, Color.green, `✓ ${v.image} is byte-identical to a rebuild of commit ${commits}`));
  } else if (rebuilt.length > 0) {
    lines.push(bad(`✗ ${v.image} is not what its commit builds: the rebuild differs`));
  } else {
    lines.push(bad(`✗ ${v.image} cannot be proven by rebuilding`));
  }
  return lines;
}
