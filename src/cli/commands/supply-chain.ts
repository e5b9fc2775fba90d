/**
 * `dray sbom SERVICE`, `dray provenance SERVICE` and `dray verify-signature REF --key KEY.pub`:
 * print what dray attaches to an image, and check a pushed image's signature without cosign.
 */
import path from "node:path";
import { type CacheEntry, entryInDistributionForm } from "../../cache/index.js";
import type { ResolvedConfig } from "../../config/index.js";
import { ExitCode, type ExitCodeValue, failureExitCode, UserError } from "../../errors/index.js";
import { isDigest, openLayout, parseReference, withDocuments } from "../../oci/index.js";
import { buildProject } from "../../pipeline/index.js";
import type { Tracer } from "../../report/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface DocumentFlags extends GlobalOptions {
  platform?: string;
}

/** Run `dray sbom SERVICE`: build it (from cache), then print its SBOM as stored in the layout. */
export function runSbom(service: string, flags: DocumentFlags): Promise<ExitCodeValue> {
  return runReported(
    "sbom",
    flags,
    async (tracer) => {
      const { config, entry, layout, source } = await built(service, flags, tracer);
      const { serviceSboms } = await import("../../attest/index.js");
      const sboms = await tracer.span("sbom", () => serviceSboms(config, service, entry, layout, source));
      const chosen = pick(sboms, (s) => s.subject.platform, flags.platform, service, entry);
      writeDocument(chosen.document);
      return ExitCode.ok;
    },
    { summaryOnRequest: true },
  );
}

/** Run `dray provenance SERVICE`: the in-toto statement `dray push` would attach. */
export function runProvenance(service: string, flags: DocumentFlags): Promise<ExitCodeValue> {
  return runReported(
    "provenance",
    flags,
    async (tracer) => {
      const { config, entry } = await built(service, flags, tracer);
      const { serviceProvenance } = await import("../../attest/index.js");
      const statements = await tracer.span("provenance", () => serviceProvenance(config, service, entry));
      const platformOf = (s: { name: string }) =>
        s.name === service ? undefined : s.name.slice(service.length + 1);
      writeDocument(pick(statements, platformOf, flags.platform, service, entry).statement);
      return ExitCode.ok;
    },
    { summaryOnRequest: true },
  );
}

interface VerifyFlags extends GlobalOptions {
  key: string;
  insecure?: boolean;
  json?: boolean;
}

/** Run `dray verify-signature REF --key KEY.pub`: exit 0 when a signature by the key verifies. */
export function runVerifySignature(reference: string, flags: VerifyFlags): Promise<ExitCodeValue> {
  return runReported(
    "verify-signature",
    flags,
    async () => {
      const ref = parseReference(reference);
      const { checkSignatures, loadVerifyKey } = await import("../../attest/index.js");
      const { createRegistryClient } = await import("../../registry/index.js");
      const key = await loadVerifyKey(path.resolve(flags.dir, flags.key));
      const client = createRegistryClient(ref.registry, { insecure: flags.insecure === true });
      try {
        const digest = ref.digest ?? (await client.headManifest(ref.repository, ref.tag ?? "latest"))?.digest;
        if (!isDigest(digest)) {
          throw new UserError(`${reference} is not in the registry`, {
            hint: "Check the reference; push the image first.",
          });
        }
        const check = await checkSignatures(client, ref.repository, digest, key);
        const where = `${ref.registry}/${ref.repository}@${digest}`;
        if (flags.json) process.stdout.write(`${JSON.stringify({ reference: where, ...check }, null, 2)}\n`);
        else if (check.signed) {
          const extra =
            check.attestations.length > 0 ? `; attestations: ${check.attestations.join(", ")}` : "";
          process.stdout.write(`✓ ${where}: signed by the key (${key.hint})${extra}\n`);
        } else {
          process.stderr.write(
            `✗ ${where}: no signature that verifies with ${flags.key}${check.others > 0 ? ` (${check.others} by other keys or for other digests)` : ""}\n`,
          );
        }
        return check.signed ? ExitCode.ok : ExitCode.failed;
      } finally {
        client.close();
      }
    },
    { summaryOnRequest: true },
  );
}

/**
 * Builds `service` (from cache) and hands back its entry — in distribution form, the image as
 * `dray push` sends it, so the documents printed are the ones pushed — and where its blobs are.
 */
async function built(service: string, flags: GlobalOptions, tracer: Tracer) {
  const config: ResolvedConfig = await loadProjectConfig(flags, tracer);
  const outcome = await buildProject({ config, only: [service], env: process.env, tracer });
  const report = outcome.services.find((s) => s.name === service);
  if (report?.status === "failed") throw withExit(report.error);
  const layout = await openLayout(outcome.layout);
  const entry = await tracer.span("compress", () =>
    entryInDistributionForm(config.state, layout, outcome.entries.get(service)!),
  );
  return { config, entry, layout, source: withDocuments(layout, outcome.documents) };
}

function withExit(error: unknown): unknown {
  return error instanceof Error ? error : new UserError(String(error), { exitCode: failureExitCode(error) });
}

/** The document of `platform`, or of the image the service's tag points at. */
function pick<T>(
  documents: readonly T[],
  platformOf: (document: T) => string | undefined,
  platform: string | undefined,
  service: string,
  entry: CacheEntry,
): T {
  if (platform === undefined) return documents[0]!;
  const found = documents.find((d) => platformOf(d) === platform);
  if (found) return found;
  throw new UserError(`${service} is not built for ${platform}`, {
    exitCode: ExitCode.usage,
    hint: `Its platforms: ${entry.platforms.map((p) => p.platform).join(", ")}.`,
  });
}

/** The document exactly as stored (its digest is the artifact's), with a newline only for a terminal. */
function writeDocument(bytes: Buffer): void {
  process.stdout.write(bytes);
  if (process.stdout.isTTY) process.stdout.write("\n");
}
