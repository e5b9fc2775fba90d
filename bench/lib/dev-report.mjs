// The dev benchmark's section of RESULTS.md: per service size the four ways from an edit to the
// new version answering, the goals, and where a live update's time went by dray dev's own steps.
// Pure: measurements in, markdown out.
import { sec } from "./deploy-report.mjs";
import { formatMachine } from "./machine.mjs";
import { checkList, markdownTable, median } from "./results.mjs";

/** Goal: a live update on a local engine (binary mounted) at most this much slower than a bare `go build` of the same edit. */
export const OVER_BARE_GOAL_MS = 50;
/** Goal: the same with the binary copied through the archive API (engine over TCP). */
export const ARCHIVE_OVER_BARE_GOAL_MS = 150;
/** dray dev's steps of a live Go update, in the order it runs them ("swap" on the mount way, "copy" on the archive way). */
const STEPS = ["detect", "compile", "swap", "copy", "restart", "ready"];

/** The nearest-rank percentile `p` (0..100) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Milliseconds as sec() does, with a real minus sign for negative values. */
const fmt = (ms) => (Math.round(ms) < 0 ? `−${sec(-ms)}` : sec(ms));
const list = (values) => values.map(fmt).join(", ");
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const signed = (ms) => (Math.round(ms) < 0 ? fmt(ms) : `+${sec(ms)}`);
/** Per live update: the end-to-end time less dray dev's own total (see the note in the section). */
const outside = (sample) => sample.endToEnd - sample.update.totalMs;

/** Medians of one size's four paths; plain is undefined when it did not run. */
function summarize(size) {
  const live = size.live.map((s) => s.endToEnd);
  const archive = size.archive?.map((s) => s.endToEnd);
  return {
    bare: median(size.live.map((s) => s.bare)),
    bareArchive: size.archive ? median(size.archive.map((s) => s.bare)) : undefined,
    bareAlone: median(size.bareAlone),
    live: median(live),
    liveP90: percentile(live, 90),
    archive: archive ? median(archive) : undefined,
    archiveP90: archive ? percentile(archive, 90) : undefined,
    rebuild: median(size.rebuild.map((s) => s.endToEnd)),
    plain: size.plain ? median(size.plain.map((s) => s.endToEnd)) : undefined,
  };
}

/** Rows of where one size's live updates (`which`: live or archive) went: dray's steps, its total, and the rest. */
function stepRows(size, which = "live") {
  const row = (label, values) => [
    label,
    fmt(median(values)),
    `${fmt(Math.min(...values))} … ${fmt(Math.max(...values))}`,
  ];
  const samples = size[which];
  const updates = samples.map((s) => s.update);
  const seen = [...new Set(updates.flatMap((u) => Object.keys(u.steps)))];
  // dray's own order first, then any step this bench does not know yet.
  const steps = [...STEPS.filter((s) => seen.includes(s)), ...seen.filter((s) => !STEPS.includes(s))];
  return [
    ...steps.map((step) =>
      row(
        step,
        updates.map((u) => u.steps[step] ?? 0),
      ),
    ),
    row(
      "dray dev's total (first file event → healthy)",
      updates.map((u) => u.totalMs),
    ),
    row("outside dray's clock (end to end − dray's total)", samples.map(outside)),
    row(
      "edit → new version answering",
      samples.map((s) => s.endToEnd),
    ),
    row(
      "for comparison: a container restart by the engine (`POST restart?t=2`)",
      size.restarts.map((s) => s.restartMs),
    ),
    row(
      "… until the restarted process answers `GET /`",
      size.restarts.map((s) => s.answering),
    ),
  ];
}

/** A few plain words on where the time above the bare go build went, from the medians. */
function findings(size, m, which = "live") {
  const samples = size[which];
  const step = (name) => median(samples.map((s) => s.update.steps[name] ?? 0));
  const seen = new Set(samples.flatMap((s) => Object.keys(s.update.steps)));
  const parts = STEPS.filter((s) => s !== "compile" && seen.has(s))
    .map((s) => [s, step(s)])
    .concat([["outside dray's clock", median(samples.map(outside))]])
    .sort((a, b) => b[1] - a[1]);
  const how = which === "live" ? "live update (mount)" : "live update with the archive copy over TCP";
  const bare = which === "live" ? m.bare : m.bareArchive;
  return (
    `${size.name}: the ${how} takes ${signed(m[which] - bare)} over the bare go build beside it; ` +
    `dray's compile step is ${sec(step("compile"))} against ${sec(bare)} bare (${signed(step("compile") - bare)}), ` +
    `and the rest is, largest first: ${parts.map(([s, ms]) => `${s} ${fmt(ms)}`).join(", ")}. ` +
    `Edit by edit (each live update less the bare go build right after it): median ${signed(median(samples.map((s) => s.endToEnd - s.bare)))}, ` +
    `range ${fmt(Math.min(...samples.map((s) => s.endToEnd - s.bare)))} … ${fmt(Math.max(...samples.map((s) => s.endToEnd - s.bare)))}; ` +
    `compile less bare: median ${signed(median(samples.map((s) => (s.update.steps.compile ?? 0) - s.bare)))}. ` +
    `A restart of the same container by the engine, with no update, takes ${sec(median(size.restarts.map((s) => s.restartMs)))} ` +
    `(${sec(median(size.restarts.map((s) => s.answering)))} until it answers again).`
  );
}

/**
 * The section's markdown. Each of `sizes` is { label, name, binaryBytes, bare: [ms],
 * live: [{ endToEnd, update }], restarts: [{ restartMs, answering }], rebuild: [{ endToEnd,
 * drayMs }], plain?: [{ endToEnd, steps }] }.
 */
export function formatDevReport({ args, machine, loadEnd, firstDeployMs, sizes, notes, checks }) {
  const summaries = sizes.map(summarize);
  const notRun = "not run (--no-plain)";
  const table = markdownTable(
    [
      "service",
      "binary",
      `bare go build beside it (median of ${args.edits})`,
      `live update, mount (median / p90 of ${args.edits})`,
      `live update, archive over TCP (median / p90 of ${args.edits})`,
      `dray deploy (median of ${args["rebuild-edits"]})`,
      `plain path (median of ${args["plain-edits"]})`,
    ],
    sizes.map((size, i) => {
      const m = summaries[i];
      return [
        `${size.name} (${size.label})`,
        mb(size.binaryBytes),
        m.bareArchive === undefined
          ? sec(m.bare)
          : `${sec(m.bare)} (${sec(m.bareArchive)} beside the archive run)`,
        `${sec(m.live)} / ${sec(m.liveP90)}`,
        m.archive === undefined ? "not run (--no-archive)" : `${sec(m.archive)} / ${sec(m.archiveP90)}`,
        sec(m.rebuild),
        m.plain === undefined ? notRun : sec(m.plain),
      ];
    }),
  );
  const goals = markdownTable(
    [
      "service",
      "mount − bare go build",
      `goal ≤ ${sec(OVER_BARE_GOAL_MS)}`,
      "archive − bare go build",
      `goal ≤ ${sec(ARCHIVE_OVER_BARE_GOAL_MS)}`,
      "live ÷ plain path",
      "goal < 0.5",
    ],
    sizes.map((size, i) => {
      const m = summaries[i];
      const over = m.live - m.bare;
      const archiveOver = m.archive === undefined ? undefined : m.archive - m.bareArchive;
      const ratio = m.plain === undefined ? undefined : m.live / m.plain;
      return [
        size.name,
        signed(over),
        over <= OVER_BARE_GOAL_MS ? "met" : "**missed**",
        archiveOver === undefined ? "not run" : signed(archiveOver),
        archiveOver === undefined ? "—" : archiveOver <= ARCHIVE_OVER_BARE_GOAL_MS ? "met" : "**missed**",
        ratio === undefined ? notRun : ratio.toFixed(2),
        ratio === undefined ? "—" : ratio < 0.5 ? "met" : "**missed**",
      ];
    }),
  );
  const perSize = sizes.flatMap((size) => [
    `Where ${size.name}'s live updates went, mount (dray dev's own step times from its update lines; median and range of ${args.edits}):`,
    "",
    markdownTable(["part", "median", "range"], stepRows(size)),
    "",
    ...(size.archive
      ? [
          `Where ${size.name}'s live updates went, archive copy over TCP (median and range of ${args.edits}):`,
          "",
          markdownTable(["part", "median", "range"], stepRows(size, "archive")),
          "",
        ]
      : []),
  ]);
  const samples = sizes.flatMap((size) => [
    `- ${size.name}, live (mount): ${list(size.live.map((s) => s.endToEnd))}; bare go build beside each: ${list(size.live.map((s) => s.bare))}.`,
    ...(size.archive
      ? [
          `- ${size.name}, live (archive over TCP): ${list(size.archive.map((s) => s.endToEnd))}; bare go build beside each: ${list(size.archive.map((s) => s.bare))}.`,
        ]
      : []),
    `- ${size.name}, bare go build alone, afterwards, with nothing else running: ${list(size.bareAlone)} (median ${sec(median(size.bareAlone))}).`,
    `- ${size.name}, dray deploy: ${list(size.rebuild.map((s) => s.endToEnd))} (of which \`dray deploy\` itself ` +
      `${list(size.rebuild.map((s) => s.drayMs))}).`,
    ...(size.plain
      ? [
          `- ${size.name}, plain path: ${list(size.plain.map((s) => s.endToEnd))}; medians go build ` +
            `${sec(median(size.plain.map((s) => s.steps.go)))}, docker build ${sec(median(size.plain.map((s) => s.steps.build)))}, ` +
            `docker rm -f + run ${sec(median(size.plain.map((s) => s.steps.replace)))}.`,
        ]
      : []),
  ]);
  return [
    "## Dev loop (bench/dev.mjs)",
    "",
    `${formatMachine(machine)}, ${loadEnd} at end.`,
    "",
    `Fleet: ${args.services} small services, ${args.packages} packages and one big service (${args.big}, 26 MiB of data embedded), each with ` +
      "`deploy.health.http: /healthz` on the local docker target, no published ports. Every time runs from the write of " +
      "a new response string into the service's `main.go` until `GET /` of its container answers it (polled every 5 ms, " +
      "a new request each time). **live update, mount**: `dray dev --no-dashboard` on the engine's unix socket, which " +
      "compiles on the host straight into the service's `.dray/dev/live/<service>/` (temporary name, then a rename: the " +
      '"swap" step), a directory the container has mounted read-only, restarts the process through dray\'s supervisor, ' +
      "which runs the binary from the mount, and waits for `/healthz`. **live update, archive over TCP**: the same session " +
      "again with `DOCKER_HOST=tcp://127.0.0.1:<port>`, a byte forwarder in the bench's process to the same engine's " +
      "socket (the engine itself listens on no TCP port here), so dray copies the binary through the archive API. " +
      "**bare go build beside it**: after each live update, the same kind of edit in a copy of the fleet dray does not " +
      "watch, compiled with dray's flags and Go cache while the bench polls the container as it does during a live update, so " +
      "both see the same load on a shared machine (also measured alone " +
      "afterwards, listed below) " +
      "(`go build -trimpath -buildvcs=false -ldflags='-buildid= -s -w'`, `CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOAMD64=v1`). " +
      "**dray deploy**: `dray deploy --json <service>` (image rebuild, load, container replace, health). " +
      "**plain path**: `go build -trimpath -ldflags='-s -w'` (a Go cache of its own), `docker build` of `FROM scratch` + " +
      "`COPY app` with the classic builder, `docker rm -f`, `docker run -d` on a network of the run.",
    "",
    table,
    "",
    goals,
    "",
    ...sizes.flatMap((size, i) => [
      `- ${findings(size, summaries[i])}`,
      ...(size.archive ? [`- ${findings(size, summaries[i], "archive")}`] : []),
    ]),
    "",
    ...perSize,
    `- dray dev's first deploy (empty Go and dray caches, both services): ${sec(firstDeployMs)} until it was watching.`,
    "- \"detect\" is dray dev's time from the first file event to starting the update (the watcher's quiet time of " +
      "10 ms and the content hashes). \"Outside dray's clock\" is the time from the write until the watcher's first " +
      "event, less the lead the bench's 5 ms poll may have over dray's own 5 ms health poll (so it can be negative); " +
      "dray prints totals over 1 s to 10 ms, so this row is ±5 ms.",
    ...samples,
    ...notes.map((n) => `- ${n}`),
    "",
    "Checks:",
    "",
    ...checkList(checks),
  ].join("\n");
}
