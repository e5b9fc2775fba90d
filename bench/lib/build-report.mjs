// Turns the build benchmark's samples into a markdown section: a table of medians, the ratios
// that answer "what does dray cost over go build?", and the machine it ran on.
import { formatMachine } from "./machine.mjs";
import { markdownTable, median } from "./results.mjs";

const sec = (ms) => (ms === null ? "-" : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
const ratio = (a, b) => (a === null || b === null || b === 0 ? "-" : `${(a / b).toFixed(2)}×`);
const medianOf = (samples, field = "ms") => (samples.length ? median(samples.map((s) => s[field])) : null);

function row(label, samples, note) {
  return [label, sec(medianOf(samples)), samples.map((s) => sec(s.ms)).join(", ") || "-", note];
}

/** How each plain mode is named in the table. */
function plainLabel(mode, args) {
  return mode === "single" ? "go build, one invocation" : `go build per service, ${args.jobs} at a time`;
}

/**
 * What packing costs in wall time: dray's build minus the plain build it compiles like (one go build
 * per platform and flag set). Summed per-image step times cannot answer this: one batched compile
 * is charged to every image it produced, and compressions queued on the thread pool count their wait.
 */
function packingOverhead(label, dray, plain, goal = "") {
  if (dray === null || plain === null || plain === 0) return null;
  const extra = dray - plain;
  return `- ${label}: dray adds **${sec(extra)}** over the plain build, **${((100 * extra) / plain).toFixed(0)}%** of it${goal}`;
}

function drayLines(args, samples, modes) {
  const cold = medianOf(samples.drayCold);
  const repack = medianOf(samples.drayRepack);
  const last = samples.drayCold.at(-1);
  const lines = [""];
  for (const mode of modes) {
    const label = plainLabel(mode, args);
    lines.push(
      `- dray cold / ${label}, cold: **${ratio(cold, medianOf(samples[mode].cold))}**`,
      `- dray warm Go cache, empty .dray / ${label}, warm: **${ratio(repack, medianOf(samples[mode].warm))}**`,
    );
  }
  const single = samples.single;
  lines.push(
    single
      ? packingOverhead("cold, against one go build", cold, medianOf(single.cold), " (goal: < 25%)")
      : null,
    single ? packingOverhead("warm Go cache, against one go build", repack, medianOf(single.warm)) : null,
    `- dray's own totalMs, cold: ${sec(medianOf(samples.drayCold, "totalMs"))}; ` +
      `${last?.images ?? "-"} images, ${((last?.size ?? 0) / 1e6).toFixed(1)} MB as stored`,
    "",
    "dray compiles every service of one platform and flag set in one `go build`, as the one-invocation plain build does; what it adds is packing (tar and sha256; layers are gzipped only when pushed) and writing the layout.",
  );
  return lines.filter((l) => l !== null);
}

/** The section for RESULTS.md and its key (one section per benchmark and parameter set). */
export function formatReport({ args, machine, samples }) {
  const modes = ["single", "each"].filter((m) => samples[m]);
  const rows = [];
  for (const mode of modes) {
    const label = plainLabel(mode, args);
    const how =
      mode === "single"
        ? "`go build -o bin/ ./services/...`"
        : "one process per service, like per-service Dockerfiles";
    rows.push(
      row(`${label}, empty Go cache`, samples[mode].cold, how),
      row(`${label}, warm Go cache`, samples[mode].warm, "compiles cached; links run again"),
    );
  }
  if (!args["only-plain"]) {
    rows.push(
      row("dray build, cold", samples.drayCold, "empty Go cache, no .dray"),
      row("dray build, nothing changed", samples.drayNoop, "same again, every cache kept"),
      row("dray build, warm Go cache, empty .dray", samples.drayRepack, "every image packed again"),
    );
  }
  const lines = [
    `## Build: ${args.services} services, ${args.packages} packages, linux/amd64`,
    "",
    `Machine: ${formatMachine(machine)}`,
    "",
    'Flags on every path: `CGO_ENABLED=0 -trimpath -buildvcs=false -ldflags="-s -w -buildid="`. ' +
      `Median of ${args.repeat} run(s); every run listed.`,
    "",
    markdownTable(["measurement", "median", "runs", "notes"], rows),
    ...(args["only-plain"]
      ? ["", "dray was not measured in this run (`--only-plain`)."]
      : drayLines(args, samples, modes)),
  ];
  const key = `build services=${args.services} packages=${args.packages}`;
  return { key, markdown: lines.join("\n") };
}
