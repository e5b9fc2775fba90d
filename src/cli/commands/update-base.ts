/** `dray update-base [service|image…]`: resolve registry bases' tags to digests and pin them in dray.lock. */
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import { updateBases } from "../../pins/index.js";
import { createRegistryClient, resolveRemote } from "../../registry/index.js";
import { shortDigest, type Tracer } from "../../report/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface UpdateBaseFlags extends GlobalOptions {
  json?: boolean;
}

/** Run `dray update-base`. */
export function runUpdateBase(only: readonly string[], flags: UpdateBaseFlags): Promise<ExitCodeValue> {
  return runReported("update-base", flags, (tracer) => updateBase(only, flags, tracer), {
    summaryOnRequest: true,
  });
}

async function updateBase(
  only: readonly string[],
  flags: UpdateBaseFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags, tracer);
  const clients = new Map<string, ReturnType<typeof createRegistryClient>>();
  try {
    const result = await tracer.span("resolve bases", () =>
      updateBases({
        config,
        ...(only.length > 0 ? { only: [...only] } : {}),
        resolve: async (base) => {
          const id = `${base.registry}\0${base.insecure}\0${base.caFile ?? ""}`;
          let client = clients.get(id);
          if (!client) {
            client = createRegistryClient(base.registry, {
              insecure: base.insecure,
              ...(base.caFile ? { caFile: base.caFile } : {}),
            });
            clients.set(id, client);
          }
          const descriptor = await resolveRemote(
            client,
            base.repository,
            base.digest ?? base.tag ?? "latest",
          );
          return { digest: descriptor.digest, mediaType: descriptor.mediaType };
        },
      }),
    );
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return ExitCode.ok;
    }
    const lines = [
      ...result.changed.map(
        (c) => `${c.image}: ${c.from ? shortDigest(c.from) : "(new)"} → ${shortDigest(c.to)}`,
      ),
      ...result.unchanged.map((image) => `${image}: unchanged`),
      ...result.removed.map((image) => `${image}: removed from dray.lock (no service uses it)`),
    ];
    if (lines.length === 0)
      lines.push("no service uses a base image from a registry; dray.lock is not needed");
    else
      lines.push(
        result.changed.length + result.removed.length > 0 ? "dray.lock updated" : "dray.lock is up to date",
      );
    process.stdout.write(`${lines.join("\n")}\n`);
    return ExitCode.ok;
  } finally {
    for (const client of clients.values()) client.close();
  }
}
