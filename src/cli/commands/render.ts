/**
 * `dray render [service…]`: the Kubernetes manifests a deploy would apply, with every image
 * resolved to `registry/repo@sha256:…`, written for GitOps instead of applied (like `ko resolve`).
 * Images are built from cache and pushed (only missing blobs) so that the manifests can be used.
 */
import path from "node:path";
import { type CacheEntry, entriesInDistributionForm } from "../../cache/index.js";
import type { KubernetesTargetConfig, ResolvedConfig } from "../../config/index.js";
import { onTarget, selectServices } from "../../config/index.js";
import { chooseTarget, desiredService, imageUser, manifestsDigest, runnable } from "../../deploy/index.js";
import { ExitCode, type ExitCodeValue, failureExitCode, renderError, UserError } from "../../errors/index.js";
import { writeFileAtomic } from "../../io/index.js";
import { openLayout, withDocuments } from "../../oci/index.js";
import { buildProject } from "../../pipeline/index.js";
import type { Tracer } from "../../report/index.js";
import { outputStyle } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface RenderFlags extends GlobalOptions {
  target?: string;
  output?: string;
  /** commander's `--no-push` sets this false. */
  push?: boolean;
}

function kubernetesTarget(config: ResolvedConfig, name: string | undefined): KubernetesTargetConfig {
  const target = name ? chooseTarget(config, name) : config.targets.find((t) => t.kind === "kubernetes");
  if (target?.kind === "kubernetes") return target;
  throw new UserError(
    target
      ? `dray render writes Kubernetes manifests, and target ${target.name} is a ${target.kind} target`
      : "dray.yaml has no kubernetes target to render for",
    {
      exitCode: ExitCode.usage,
      hint: `Add one under \`targets:\` in ${config.file}, e.g. \`prod: { type: kubernetes, namespace: shop }\`.`,
    },
  );
}

export async function runRender(names: readonly string[], flags: RenderFlags): Promise<ExitCodeValue> {
  return runReported("render", flags, (tracer) => render(names, flags, tracer));
}

async function render(names: readonly string[], flags: RenderFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const project = await loadProjectConfig(flags);
  const target = kubernetesTarget(project, flags.target);
  // The project as the target sees it: its own registry, when it names one.
  const config = onTarget(project, target);
  if (!config.registry)
    throw new UserError("Kubernetes pulls images from a registry, and dray.yaml names none", {
      exitCode: ExitCode.usage,
      hint: `Add \`registry: HOST[:PORT]/NAMESPACE\` to ${config.file}; rendered images are <registry>/<service>@sha256:….`,
    });
  const services = selectServices(config, names).filter(runnable);
  const build = await buildProject({
    config: project,
    only: services.map((s) => s.name),
    env: process.env,
    tracer,
  });
  const failed = build.services.find((s) => s.status === "failed");
  if (failed?.status === "failed") {
    process.stderr.write(`${renderError(failed.error, outputStyle(process.stderr, process.env)).text}\n`);
    return failureExitCode(failed.error);
  }
  const layout = await openLayout(build.layout);
  const source = withDocuments(layout, build.documents);
  // Rendered references name the distribution form: the image a push sends and the registry holds.
  let pushed: Map<string, CacheEntry>;
  if (flags.push !== false) {
    const { publishByDigest } = await import("../../publish/index.js");
    const reports = await publishByDigest(config, source, build.entries, tracer, layout);
    pushed = new Map(reports.map((r) => [r.service, r.entry]));
  } else pushed = await entriesInDistributionForm(config.state, layout, build.entries, source);
  const extra = target.manifests ? await manifestsDigest(target.manifests) : undefined;
  const desired = await Promise.all(
    services.map(async (s) => {
      const entry = pushed.get(s.name) ?? build.entries.get(s.name)!;
      return desiredService(config, s, entry, target, undefined, extra, await imageUser(source, entry));
    }),
  );
  const { renderForTarget, renderManifests } = await import("../../deploy/index.js");
  const text = renderManifests((await renderForTarget(target, config.project, desired)).objects);
  if (flags.output) {
    const file = path.resolve(flags.dir, flags.output);
    await writeFileAtomic(file, text);
    process.stderr.write(
      `wrote ${path.relative(process.cwd(), file) || file} (${desired.length} services)\n`,
    );
  } else process.stdout.write(text);
  return ExitCode.ok;
}
