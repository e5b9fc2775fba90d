// Reads what a benchmark needs from `dray build --json`. The output format is still settling, so
// every field is optional here and this is the one place to adapt when it changes. Expected:
//   { services: [{ name, platforms: [{ platform, imageId, manifestDigest, size,
//       timings: { compile, pack, write } }], timings }], totalMs }
// ("compress" is read too, for runs of versions that still gzipped layers while building.)

const STEPS = ["compile", "pack", "compress", "write"];

/** Parses stdout, tolerating log lines around the JSON object. */
function parseLoose(stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    const from = stdout.indexOf("{");
    const to = stdout.lastIndexOf("}");
    if (from < 0 || to < from) throw new Error("dray build --json printed no JSON object");
    return JSON.parse(stdout.slice(from, to + 1));
  }
}

const number = (v) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * Sums per-image step times (ms, summed over images, so they can exceed wall time when images
 * build in parallel) and counts services, images and bytes; `failed` lists services that failed.
 */
export function summarizeDrayRun(stdout) {
  const json = parseLoose(stdout);
  const services = Array.isArray(json?.services) ? json.services : [];
  const sums = Object.fromEntries(STEPS.map((s) => [s, 0]));
  let images = 0;
  let size = 0;
  const failed = [];
  for (const service of services) {
    const platforms = Array.isArray(service?.platforms) ? service.platforms : [];
    const platformTimed = platforms.some((p) => p?.timings);
    // Prefer per-platform step times; fall back to the service's own when platforms have none.
    const timed = platformTimed ? platforms : [service];
    for (const item of timed) for (const step of STEPS) sums[step] += number(item?.timings?.[step]);
    for (const p of platforms) size += number(p?.size);
    images += platforms.length;
    if (service?.status === "failed") failed.push(`${service.name}: ${service.error?.message ?? "failed"}`);
  }
  return { services: services.length, failed, images, size, totalMs: number(json?.totalMs) || null, ...sums };
}
