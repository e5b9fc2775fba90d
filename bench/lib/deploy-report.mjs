// The deploy benchmark's section of RESULTS.md: the scenario table with the goals, where dray's
// one-change and no-change deploys spent their time, the plain script's split, and the checks.
// Pure: measurements in, markdown out.
import { formatMachine } from "./machine.mjs";
import { checkList, markdownTable, median } from "./results.mjs";

/** Milliseconds as "412 ms" or "1.23 s". */
export const sec = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const list = (values) => values.map(sec).join(", ");

/** Where the end-to-end time of one deploy went: parts that add up to `endToEnd`. */
function phases(run, endToEnd) {
  const s = run.spans;
  const build = s.build ?? 0;
  const connect = (s.connect ?? 0) + (s.lock ?? 0) + (s["read live state"] ?? 0) + (s["target lock"] ?? 0);
  const prepare = s["prepare images"] ?? 0;
  return {
    "start node, load config, print JSON": run.ms - run.json.totalMs,
    "build (cached; changed services compiled)": build,
    "connect, lock, read live state (time past the build)": connect,
    "prepare images (load into the engine)": prepare,
    "plan and replace (create, start, health, remove old)": run.json.totalMs - build - connect - prepare,
    ...(endToEnd === undefined
      ? {}
      : { "after dray exited, until the new version answered": endToEnd - run.ms }),
  };
}

/** Medians of each key over a list of { key: ms } records; keys in first-seen order. */
function medians(records) {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return keys.map((k) => [k, median(records.map((r) => r[k] ?? 0)), records.map((r) => r[k] ?? 0)]);
}

/**
 * `--compare`: the medians of this build's and the other binary's deploys, run alternately on the
 * same fleet, side by side (negative: this build is faster).
 */
function comparison({ dray, other, noop, change }, mine) {
  const both = (label, a, b) => [label, sec(a), sec(b), `${a - b >= 0 ? "+" : "−"}${sec(Math.abs(a - b))}`];
  const phaseMedians = (runs) =>
    new Map(medians(runs.map((c) => phases(c, c.endToEnd))).map(([k, m]) => [k, m]));
  const stepMedians = (runs) => new Map(medians(runs.map((c) => c.steps)).map(([k, m]) => [k, m]));
  const [pa, pb] = [phaseMedians(mine.change), phaseMedians(change)];
  const [sa, sb] = [stepMedians(mine.change), stepMedians(change)];
  const rows = [
    both("no-change deploy, wall time", median(mine.noop.map((n) => n.ms)), median(noop.map((n) => n.ms))),
    both(
      "one change, edit → answering",
      median(mine.change.map((c) => c.endToEnd)),
      median(change.map((c) => c.endToEnd)),
    ),
    ...[...pa.keys()].map((k) => both(`· ${k}`, pa.get(k), pb.get(k) ?? 0)),
    ...[...sa.keys()].map((k) => both(`· step ${k}`, sa.get(k), sb.get(k) ?? 0)),
  ];
  return [
    `Side by side (\`--compare\`): this build (\`${dray}\`) and \`${other}\`, their deploys alternating on the same fleet, ` +
      `medians of ${mine.change.length} each; the one-change parts and ${"`--json`"} steps as above.`,
    "",
    markdownTable(["", "this build", "compared", "difference"], rows),
    "",
  ];
}

/**
 * The section's markdown. `build` and `first` are the cold `dray build` and the first deploy;
 * `noop` and `change` the repeated deploys (each { ms, json, spans }, `change` also { endToEnd,
 * steps }); `plain` the plain script's { first, noop, change } (first null when it did not run).
 */
export function formatDeployReport({
  args,
  machine,
  loadEnd,
  build,
  first,
  noop,
  change,
  plain,
  notes,
  checks,
  compared,
}) {
  const { leaf } = args;
  const noopMs = median(noop.map((n) => n.ms));
  const changeMs = median(change.map((c) => c.endToEnd));
  const plainNoop = plain.noop.map((r) => r.ms);
  const plainLeaf = plain.change.map((r) => r.leafMs);
  const plainDone = plain.change.map((r) => r.ms);
  const notRun = "not run (--no-plain)";
  const rows = [
    [
      "first deploy (empty caches)",
      `${sec(build.ms + first.ms)} (cold build ${sec(build.ms)} + deploy ${sec(first.ms)})`,
      plain.first ? sec(plain.first.ms) : notRun,
      "—",
      "—",
    ],
    [
      `no-change deploy (median of ${args.repeat})`,
      sec(noopMs),
      plain.first ? `${sec(median(plainNoop))} (median of ${plainNoop.length})` : notRun,
      "< 0.5 s",
      noopMs < 500 ? "yes" : "no",
    ],
    [
      `one service changed (${leaf}), edit → new version answering (median of ${args.repeat})`,
      sec(changeMs),
      plain.first
        ? `${sec(median(plainLeaf))}; script done after ${sec(median(plainDone))} (median of ${plainLeaf.length})`
        : notRun,
      "≤ 0.8 s",
      changeMs <= 800 ? "yes" : "no",
    ],
  ];
  const table = markdownTable(["scenario", "dray", "plain script", "goal", "met?"], rows);
  const phaseRows = medians(change.map((c) => phases(c, c.endToEnd))).map(([k, m, all]) => [
    k,
    sec(m),
    list(all),
  ]);
  phaseRows.push(["end to end", sec(changeMs), list(change.map((c) => c.endToEnd))]);
  const stepRows = medians(change.map((c) => c.steps)).map(([k, m, all]) => [k, sec(m), list(all)]);
  const noopPhaseRows = medians(noop.map((n) => phases(n))).map(([k, m, all]) => [k, sec(m), list(all)]);
  noopPhaseRows.push(["wall time of `dray deploy`", sec(noopMs), list(noop.map((n) => n.ms))]);
  const plainFirst = plain.first;
  const sum = (steps, key) => steps.reduce((n, s) => n + s[key], 0);
  const md = [
    "## Deploy (bench/deploy.mjs)",
    "",
    `${formatMachine(machine)}, ${loadEnd} at end.`,
    "",
    `Fleet: ${args.services} services, ${args.packages} packages, each with \`deploy.health.http: /healthz\`, on the local ` +
      "docker target (images loaded straight into the engine, one container per service on the project's bridge network, " +
      "no published ports). dray times are wall times of `dray deploy --json` (spawn to exit; it includes the cached build); " +
      "the one-change time runs from just after the edit until `GET /` of the new container answers the new string. " +
      "The plain script builds and replaces every service in turn (`go build -trimpath -ldflags='-s -w'` with a Go cache " +
      "of its own, `docker build` with the classic builder, `docker rm -f`, `docker run -d`), then waits until every " +
      "container answers `/healthz`.",
    "",
    table,
    "",
    `Where dray's one-change deploy went (median of ${args.repeat}; the parts add up to the end-to-end time):`,
    "",
    markdownTable(["part", "median", "samples"], phaseRows),
    "",
    `dray's own steps for ${leaf} in those deploys (from \`--json\`):`,
    "",
    markdownTable(["step", "median", "samples"], stepRows),
    "",
    ...(compared ? comparison(compared, { noop, change }) : []),
    `The no-change deploy (median of ${args.repeat}):`,
    "",
    markdownTable(["part", "median", "samples"], noopPhaseRows),
    "",
    `- first deploy: \`dray build --json\` ${sec(build.ms)} with empty caches, then \`dray deploy\` ${sec(first.ms)} ` +
      `(build span ${sec(first.spans.build ?? 0)}, loading images ${sec(first.spans["prepare images"] ?? 0)}).`,
    ...(plainFirst
      ? [
          `- plain script, first deploy: go build ${sec(sum(plainFirst.steps, "go"))}, docker build ${sec(sum(plainFirst.steps, "build"))}, ` +
            `replace containers ${sec(sum(plainFirst.steps, "replace"))}, then /healthz of all ${sec(plainFirst.ms - plainFirst.replacedMs)}. ` +
            `No-change runs: ${list(plainNoop)}; one-change runs, ${leaf} answering: ${list(plainLeaf)}, script done: ${list(plainDone)}.`,
        ]
      : []),
    "- Container addresses are read from the engine's API (`GET /containers/{name}/json`) on every poll, " +
      "so a new container's new address is found; polls every 10 ms after dray exits, every 20 ms while the plain script runs.",
    ...notes.map((n) => `- ${n}`),
    "",
    "Checks:",
    "",
    ...checkList(checks),
  ].join("\n");
  return md;
}
