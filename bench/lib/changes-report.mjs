// Turns the change benchmark's measurements into its markdown section: scenarios side by side
// with the plain path, the leaf change broken into steps, how no-op time grows with the fleet,
// and every check the run made.
import { formatMachine } from "./machine.mjs";
import { markdownTable, median } from "./results.mjs";

/** Seconds, with more digits where they matter. */
export function sec(ms) {
  if (ms === null || ms === undefined) return "-";
  const s = ms / 1000;
  return `${s.toFixed(s < 10 ? 2 : 1)} s`;
}

/** "median (min–max)" of a list of ms, or one value when there is one sample. */
export function spread(samples) {
  if (!samples.length) return "-";
  if (samples.length === 1) return sec(samples[0]);
  return `${sec(median(samples))} (${sec(Math.min(...samples)).replace(" s", "")}–${sec(Math.max(...samples))})`;
}

const ratio = (plain, dray) =>
  plain && dray ? `${(plain / dray).toFixed(plain / dray < 10 ? 1 : 0)}×` : "-";
const med = (samples) => (samples.length ? median(samples) : null);
const yes = (ok) => (ok ? "yes" : "**no**");

/** What the plain pass over the fleet cost, as a table cell (scaled up when only sampled). */
function plainFleetCell(pass, plain) {
  if (plain.sampled === plain.services) return sec(pass.ms);
  return `≈ ${sec(pass.extrapolatedMs)} (${sec(pass.ms)} for ${plain.sampled}, × ${plain.services}/${plain.sampled})`;
}

function scenarioTable(r) {
  const n = r.fleet.services;
  const plain = r.plainFleet;
  const first = plain?.first?.extrapolatedMs ?? null;
  const rerun = plain?.rerun?.extrapolatedMs ?? null;
  const leafPlain = med(r.leaf.plain.map((s) => s.total));
  const noopPlan = med(r.noop.plan);
  const noopBuild = med(r.noop.build);
  const leafDray = med(r.leaf.dray);
  const c = r.comment;
  const rows = [
    [
      `cold build of all ${n}: empty caches, empty registry`,
      sec(r.cold.ms),
      plain ? `${plainFleetCell(plain.first, plain)} (first pass)` : "not measured",
      ratio(first, r.cold.ms),
      "-",
      "-",
    ],
    [
      "no-op `dray plan`",
      spread(r.noop.plan),
      plain ? `${plainFleetCell(plain.rerun, plain)} (re-run, nothing changed)` : "not measured",
      ratio(rerun, noopPlan),
      "< 0.5 s",
      yes(noopPlan < 500 && r.noop.planOk),
    ],
    [
      "no-op `dray build`",
      spread(r.noop.build),
      plain ? `${plainFleetCell(plain.rerun, plain)} (re-run, nothing changed)` : "not measured",
      ratio(rerun, noopBuild),
      "< 0.5 s",
      yes(noopBuild < 500 && r.noop.buildOk),
    ],
    [
      `one leaf service changed (${r.fleet.leaf}): \`dray build\``,
      spread(r.leaf.dray),
      r.leaf.plain.length
        ? `${spread(r.leaf.plain.map((s) => s.total))} (go build + docker build + push)`
        : "not measured",
      ratio(leafPlain, leafDray),
      "< 0.8 s",
      yes(leafDray < 800 && r.leaf.ok),
    ],
    [
      `comment reworded in ${c.dir} (${c.dependents} dependents): \`dray build\``,
      sec(c.ms),
      plain ? `${plainFleetCell(plain.rerun, plain)} (rebuilds and pushes all ${n})` : "not measured",
      ratio(rerun, c.ms),
      "0 changed images",
      `${yes(c.changed === 0)}: ${c.changed} changed, ${c.identical} rebuilt-identical`,
    ],
  ];
  return markdownTable(
    ["scenario", "dray (median, min–max)", "plain path", "plain ÷ dray", "goal", "met?"],
    rows,
  );
}

function leafTable(r) {
  const plain = r.leaf.plain;
  const steps = [
    ["bare `go build` of the service after an edit", r.leaf.bare, "the floor: compile main + link"],
    ["plain: `go build`", plain.map((s) => s.go), "same command, binary into the Docker context"],
    [
      "plain: `docker build` (classic, FROM scratch)",
      plain.map((s) => s.build),
      "new binary: COPY layer rebuilt",
    ],
    ["plain: `docker push`", plain.map((s) => s.push), "one new layer, to 127.0.0.1"],
    ["plain: total", plain.map((s) => s.total), "what the plain path needs for the new image"],
    ["`dray build` (all services, one changed)", r.leaf.dray, "key check of every service + compile + pack"],
  ];
  const rows = steps
    .filter(([, samples]) => samples.length)
    .map(([step, samples, note]) => [step, sec(med(samples)), samples.map(sec).join(", "), note]);
  const overhead = med(r.leaf.dray) - med(r.leaf.bare);
  return [
    markdownTable(["leaf change, step", "median", "runs", "notes"], rows),
    "",
    `dray's overhead over a bare \`go build\` of the changed service: **${sec(overhead)}** (median minus median).`,
  ].join("\n");
}

function scaleTable(r) {
  const bare = med(r.leaf.bare);
  const rows = r.scale.map((s, i) => {
    const build = med(s.build);
    const before = r.scale[i - 1];
    // What each service added since the next smaller fleet costs: the growth without the fixed
    // start-up cost that the plain per-service average includes.
    const growth = before
      ? `${((build - med(before.build)) / (s.services - before.services)).toFixed(2)} ms`
      : "-";
    return [
      String(s.services),
      s.coldMs === null ? "-" : sec(s.coldMs),
      spread(s.plan),
      spread(s.build),
      `${(build / s.services).toFixed(2)} ms`,
      growth,
      bare === null ? "-" : sec(bare * s.services),
      s.note,
    ];
  });
  return markdownTable(
    [
      "services",
      "cold `dray build`",
      "no-op `dray plan`",
      "no-op `dray build`",
      "no-op build per service",
      "per added service",
      "services × bare go build",
      "notes",
    ],
    rows,
  );
}

/** Median per-service step times of the plain passes over the fleet. */
function plainSteps(plain) {
  const part = (label, pass) => {
    const step = (name) => sec(med(pass.steps.map((s) => s[name])));
    return `${label}: go build ${step("go")}, docker build ${step("build")}, docker push ${step("push")}`;
  };
  return `Per service (median): ${part("first pass", plain.first)}; ${part("re-run", plain.rerun)}.`;
}

/** The section for RESULTS.md and its key (one section per fleet size). */
export function formatChangesReport(r) {
  const { args } = r;
  const plain = r.plainFleet;
  const lines = [
    "## Change detection (bench/changes.mjs)",
    "",
    `Fleet: ${r.fleet.services} services, ${r.fleet.packages} packages, linux/amd64 (\`bench/gen-fleet.mjs\`); ` +
      `${args.repeat} repeats per scenario; dray ${r.dray}.`,
    "",
    `Machine: ${formatMachine(r.machine)}`,
    "",
    scenarioTable(r),
    "",
    "Wall time from spawn to exit of each command, measured in one run, one command at a time. " +
      "dray builds into its OCI layout and pushes nothing; the plain path's time includes its push " +
      "(the steps are split below).",
    "",
    (
      "Plain path: per service `go build -trimpath -ldflags='-s -w'` (CGO_ENABLED=0, a Go cache of " +
      "its own, empty at the first pass; the old binary removed as in a fresh checkout), then " +
      "`docker build` of `FROM scratch` + `COPY app` with the classic builder (Docker 20.10, " +
      "`/usr/bin/docker`), then `docker push` to a registry on 127.0.0.1, " +
      `${args["plain-jobs"]} service(s) at a time, like a CI script. ` +
      (plain
        ? `The first pass starts from an empty registry and no Docker layer cache; the re-run ` +
          "builds the same sources, so docker build hits its layer cache and the push finds " +
          "every layer present: the cheapest a deploy without change detection gets. " +
          (plain.sampled < plain.services
            ? `Only the first ${plain.sampled} of ${plain.services} services went through it; ` +
              "the fleet's time is that × the ratio of counts (for the first pass an overestimate: " +
              "the sample pays for compiling the shared code once)."
            : "")
        : "It was not measured in this run (`--no-plain`).")
    ).trimEnd(),
    ...(plain ? ["", plainSteps(plain)] : []),
    "",
    "### One leaf service changed",
    "",
    `Each repeat changes the response string of \`GET /\` in \`services/${r.fleet.leaf}/main.go\` ` +
      "(a real behaviour change) before each measured command, with a new string every time.",
    "",
    leafTable(r),
    "",
    "### Comment-only change in the most-shared package",
    "",
    `\`${r.comment.edit.file}\` line ${r.comment.edit.line}: \`${r.comment.edit.before}\` → ` +
      `\`${r.comment.edit.after}\` (same number of lines). \`dray plan\` before the build: ` +
      `${r.comment.planChanged} of ${r.fleet.services} changed (it cannot know the binaries are ` +
      `identical without building them); \`dray build\` then: ${r.comment.changed} changed, ` +
      `${r.comment.identical} rebuilt-identical, ${r.comment.unchanged} unchanged ` +
      `(${r.comment.dependents} services depend on ${r.comment.dir}).`,
    "",
    "### How no-op time grows with the fleet",
    "",
    scaleTable(r),
    "",
    ...r.notes.map((n) => `- ${n}`),
    ...(r.notes.length ? [""] : []),
    "### Checks",
    "",
    ...r.checks.map((c) => `- ${c.ok ? "ok" : "**FAILED**"}: ${c.label}${c.detail ? ` — ${c.detail}` : ""}`),
  ];
  return {
    key: `changes services=${r.fleet.services} packages=${r.fleet.packages}`,
    markdown: lines.join("\n"),
  };
}
