#!/usr/bin/env node
// Push benchmark: bytes and wall time of `dray push` for the first push of a generated fleet, a
// push with nothing changed, and a push after one service changed, next to `docker push` of the
// same images (loaded into Docker with skopeo) to a second, empty registry. Each registry sits
// behind a counting proxy on 127.0.0.1 that counts blob upload bytes. Talks only to 127.0.0.1 and
// the local Docker engine; stops by itself and removes what it made.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { startCountingProxy } from "./lib/counting-proxy.mjs";
import { planFleet, serviceName, writeFleet } from "./lib/fleet.mjs";
import { changeGreeting } from "./lib/fleet-edits.mjs";
import { cleanUpOnSignals, createChecks, drayEnvironment, runDrayJson } from "./lib/harness.mjs";
import { describeMachine, formatMachine } from "./lib/machine.mjs";
import { DOCKER, ensureEngine, REGISTRY, since, startRegistry } from "./lib/plain-path.mjs";
import { markdownTable, median, writeSection } from "./lib/results.mjs";
import { runTimed, stopAll } from "./lib/run.mjs";

const usage = `usage: node bench/push.mjs [--services 100] [--packages 10] [--repeat 5] [--leaf svc-050]
  [--docker-budget 180] [--no-docker] [--dray PATH] [--timeout SECONDS] [--keep] [--no-results]
  --docker-budget S  if the sequential docker pushes would take longer than S seconds, push only
                     the first 20 and extrapolate (labelled in the table)`;
const args = parseArgs(
  process.argv.slice(2),
  {
    services: 100,
    packages: 10,
    repeat: 5,
    leaf: "",
    "docker-budget": 180,
    "no-docker": false,
    dray: "",
    timeout: 900,
    keep: false,
    "no-results": false,
  },
  usage,
);
const leaf = args.leaf || serviceName(args.services >> 1);
if (args.services < 1 || args.services > 1000 || args.packages < 1 || args.packages > 100) {
  console.error(`error: --services must be 1..1000 and --packages 1..100\n${usage}`);
  process.exit(2);
}
if (
  args.repeat < 1 ||
  args.repeat > 50 ||
  !/^svc-\d{3}$/.test(leaf) ||
  Number(leaf.slice(4)) >= args.services
) {
  console.error(`error: --repeat must be 1..50 and --leaf a service of the fleet\n${usage}`);
  process.exit(2);
}
const SKOPEO = "/usr/bin/skopeo";
const repo = fileURLToPath(new URL("..", import.meta.url));
const drayBin = args.dray ? resolve(args.dray) : join(repo, "bin", "dray.js");
const missing = [drayBin, REGISTRY, ...(args["no-docker"] ? [] : [DOCKER, SKOPEO])].filter(
  (p) => !existsSync(p),
);
if (missing.length) {
  console.error(`error: missing ${missing.join(", ")}`);
  process.exit(2);
}

const timeoutMs = args.timeout * 1000;
const work = mkdtempSync(join(tmpdir(), "dray-bench-push-"));
const fleet = join(work, "fleet");
const drayEnv = drayEnvironment(work);
const dockerEnv = { ...process.env, DOCKER_CONFIG: join(work, "docker-config"), DOCKER_CLI_HINTS: "false" };
const log = (line) => console.error(line);
const sec = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const mb = (bytes) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);

// Everything the run started, so that cleanUp (also on a signal) stops and removes exactly that.
const started = { registries: [], proxies: [], dockerRefs: new Set(), dockerIds: new Set() };
let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  stopAll();
  for (const p of started.proxies) p.stop();
  for (const r of started.registries) r.stop();
  // Tags first, then the image ids (a re-copied tag leaves the old image untagged).
  const refs = [...started.dockerRefs, ...started.dockerIds];
  for (let i = 0; i < refs.length; i += 50) {
    spawnSync(DOCKER, ["rmi", "-f", ...refs.slice(i, i + 50)], { env: dockerEnv, timeout: 120_000 });
  }
  if (refs.length) log(`removed ${refs.length} Docker tag(s) and image id(s) of this run`);
  if (args.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
cleanUpOnSignals(cleanUp, log);
const { checks, check } = createChecks(log);

/** Runs dray in the fleet; wall time (spawn to exit) and parsed JSON. */
const dray = (argv) => runDrayJson(drayBin, argv, { cwd: fleet, env: drayEnv, timeoutMs });

/** One `dray push --json` with the proxy's counters reset first; a summary of it. */
async function drayPush(proxy) {
  proxy.reset();
  const { ms, json } = await dray(["push", "--json"]);
  const pushes = json.push ?? [];
  const failed = (json.services ?? []).filter((s) => s.status && s.status !== "built");
  if (failed.length) throw new Error(`dray push: ${failed.map((s) => `${s.name}: ${s.status}`).join(", ")}`);
  const sum = (f) => pushes.reduce((n, p) => n + (f(p) ?? 0), 0);
  return {
    ms,
    json,
    pushes: pushes.length,
    bytesSent: sum((p) => p.bytesSent),
    // The SBOM, provenance and signature blobs sent with the images.
    referrerBytes: sum((p) => p.attestations?.bytesSent),
    bytesSkipped: sum((p) => p.bytesSkipped),
    maxPushMs: Math.max(0, ...pushes.map((p) => p.ms ?? 0)),
    sumPushMs: sum((p) => p.ms),
    uploaded: pushes.flatMap((p) =>
      p.blobs.filter((b) => b.action === "uploaded").map((b) => ({ ...b, service: p.service })),
    ),
    proxyBlobBytes: proxy.counts.blobBytes,
    proxyOtherBytes: proxy.counts.otherBytes,
    requests: proxy.counts.requests,
  };
}

const ref = (host, name) => `${host}/fleet/${name}:latest`;
/** Copies dray's image of `name` from the OCI layout into the Docker engine, tagged for `host`. */
async function loadIntoDocker(host, name) {
  const target = ref(host, name);
  started.dockerRefs.add(target);
  await runTimed(
    SKOPEO,
    ["copy", "-q", `oci:${join(fleet, ".dray", "oci")}:${name}`, `docker-daemon:${target}`],
    {
      cwd: work,
      env: dockerEnv,
      timeoutMs,
    },
  );
  const inspect = spawnSync(DOCKER, ["image", "inspect", "-f", "{{.Id}}", target], {
    env: dockerEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (inspect.stdout?.trim()) started.dockerIds.add(inspect.stdout.trim());
}
/** Sequential `docker push` of `names`; stops after `sample` when the whole would exceed the budget. */
async function dockerPushAll(proxy, host, names, sample) {
  proxy.reset();
  const start = process.hrtime.bigint();
  let pushed = 0;
  for (const name of names) {
    await runTimed(DOCKER, ["push", "-q", ref(host, name)], { cwd: work, env: dockerEnv, timeoutMs });
    pushed++;
    if (
      pushed === sample &&
      pushed < names.length &&
      (since(start) * names.length) / pushed > args["docker-budget"] * 1000
    )
      break;
  }
  const ms = since(start);
  const factor = names.length / pushed;
  return {
    ms,
    pushed,
    total: names.length,
    msFleet: ms * factor,
    blobBytes: proxy.counts.blobBytes,
    bytesFleet: proxy.counts.blobBytes * factor,
    otherBytes: proxy.counts.otherBytes,
  };
}

try {
  const machine = describeMachine();
  const names = Array.from({ length: args.services }, (_, i) => serviceName(i));
  const result = { notes: [] };
  log(
    `work dir ${work}; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );

  // 1. Fleet and one build (not part of any push timing).
  writeFleet(fleet, planFleet({ services: args.services, packages: args.packages, big: 0 }));
  const build = await dray(["build", "--json"]);
  check(
    `dray build: ${args.services} services built`,
    build.json.services?.length === args.services && build.json.services.every((s) => s.status === "built"),
  );
  log(`  cold build ${sec(build.ms)}`);

  // 2. dray's registry, behind a counting proxy.
  const reg1 = await startRegistry(join(work, "registry-dray"));
  started.registries.push(reg1);
  const proxy1 = await startCountingProxy(reg1.host);
  started.proxies.push(proxy1);
  appendFileSync(join(fleet, "dray.yaml"), `registry: ${proxy1.host}/fleet\n`);
  log(`dray → ${proxy1.host} (proxy) → ${reg1.host} (registry)`);

  // 3. dray pushes.
  const first = await drayPush(proxy1);
  log(
    `  first push ${sec(first.ms)}, ${mb(first.bytesSent)} sent (proxy: ${mb(first.proxyBlobBytes)} blob bytes)`,
  );
  check(`first push: ${args.services} images pushed`, first.pushes === args.services, `${first.pushes}`);
  check(
    "first push: dray's bytesSent (images, then referrers) equals the blob bytes the proxy saw",
    first.bytesSent + first.referrerBytes === first.proxyBlobBytes,
    `${first.bytesSent} + ${first.referrerBytes} vs ${first.proxyBlobBytes}`,
  );
  const noop = [];
  for (let r = 0; r < args.repeat; r++) {
    const p = await drayPush(proxy1);
    noop.push(p);
    log(
      `  no-change push ${r + 1}: ${sec(p.ms)}, bytesSent ${p.bytesSent}, proxy blob bytes ${p.proxyBlobBytes}, ${p.requests} requests`,
    );
  }
  check(
    "no-change pushes: bytesSent 0 every time",
    noop.every((p) => p.bytesSent === 0),
    noop.map((p) => p.bytesSent).join(", "),
  );
  check(
    "no-change pushes: the proxy saw 0 blob bytes every time",
    noop.every((p) => p.proxyBlobBytes === 0),
    noop.map((p) => p.proxyBlobBytes).join(", "),
  );

  changeGreeting(fleet, leaf, `push bench ${process.pid}`);
  const change = await drayPush(proxy1);
  const leafBlobs = change.uploaded.filter((b) => b.service === leaf);
  const others = change.uploaded.filter((b) => b.service !== leaf);
  const appLayer = leafBlobs.reduce((a, b) => (b.size > (a?.size ?? -1) ? b : a), null);
  const ratio = appLayer ? change.bytesSent / appLayer.size : Number.NaN;
  log(
    `  one-change push ${sec(change.ms)}, ${change.bytesSent} B sent; app layer ${appLayer?.size} B → ${ratio.toFixed(3)}×`,
  );
  check(
    `one-change push: only ${leaf} uploaded blobs`,
    others.length === 0 && leafBlobs.length > 0,
    others.map((b) => `${b.service} ${b.digest.slice(7, 19)} ${b.size}`).join("; "),
  );
  check(
    "one-change push: dray's bytesSent (images, then referrers) equals the proxy's blob bytes",
    change.bytesSent + change.referrerBytes === change.proxyBlobBytes,
    `${change.bytesSent} + ${change.referrerBytes} vs ${change.proxyBlobBytes}`,
  );
  // The same kind of edit again, built only: the build's share of the one-change push.
  changeGreeting(fleet, leaf, `build only ${process.pid}`);
  const buildOnly = await dray(["build", "--json"]);
  log(`  dray build alone after the same kind of edit: ${sec(buildOnly.ms)}`);
  Object.assign(result, { first, noop, change, appLayer, ratio, leafBlobs, buildOnly, cold: build.ms });

  // 4. docker push of the same images, into a second empty registry behind its own proxy.
  if (!args["no-docker"]) {
    if (await ensureEngine(repo))
      result.notes.push("The Docker engine was started by scripts/start-engine.sh and left running.");
    const reg2 = await startRegistry(join(work, "registry-docker"));
    started.registries.push(reg2);
    const proxy2 = await startCountingProxy(reg2.host);
    started.proxies.push(proxy2);
    // dray's current images (the leaf as of the build-only edit); the leaf is reloaded after an edit below.
    const loadStart = process.hrtime.bigint();
    for (const name of names) await loadIntoDocker(proxy2.host, name);
    log(
      `docker: loaded ${names.length} images with skopeo in ${sec(since(loadStart))} (not timed as push); → ${proxy2.host} → ${reg2.host}`,
    );
    const dFirst = await dockerPushAll(proxy2, proxy2.host, names, 20);
    log(
      `  first docker push: ${dFirst.pushed}/${dFirst.total} in ${sec(dFirst.ms)}, ${mb(dFirst.blobBytes)}`,
    );
    const dNoop = await dockerPushAll(proxy2, proxy2.host, names.slice(0, dFirst.pushed), 20);
    log(`  no-change docker push: ${dNoop.pushed} in ${sec(dNoop.ms)}, ${dNoop.blobBytes} B`);
    // One changed image: build the leaf again with a new edit, copy it over, push it.
    changeGreeting(fleet, leaf, `docker change ${process.pid}`);
    await dray(["build", "--json"]);
    await loadIntoDocker(proxy2.host, leaf);
    proxy2.reset();
    const t = process.hrtime.bigint();
    await runTimed(DOCKER, ["push", "-q", ref(proxy2.host, leaf)], { cwd: work, env: dockerEnv, timeoutMs });
    const dChange = {
      ms: since(t),
      blobBytes: proxy2.counts.blobBytes,
      otherBytes: proxy2.counts.otherBytes,
    };
    log(`  one-change docker push: ${sec(dChange.ms)}, ${mb(dChange.blobBytes)}`);
    const noopFleetMs = (dNoop.ms * names.length) / dNoop.pushed;
    Object.assign(result, {
      dFirst,
      dNoop: { ...dNoop, msFleet: noopFleetMs, bytesFleet: (dNoop.blobBytes * names.length) / dNoop.pushed },
      dChange,
    });
  }

  // 5. Report.
  const noopMs = median(noop.map((p) => p.ms));
  const noopBytes = Math.max(...noop.map((p) => p.bytesSent));
  const extr = (d) =>
    d && d.pushed < d.total ? ` (${d.pushed} pushed, ×${d.total / d.pushed} extrapolated)` : "";
  const dTime = (d) => (d ? `${sec(d.msFleet)}${extr(d)}` : "not run");
  const dBytes = (d) => (d ? `${mb(d.bytesFleet)}${extr(d) ? " (extrapolated)" : ""}` : "not run");
  const rows = [
    ["first push", sec(first.ms), mb(first.bytesSent), dTime(result.dFirst), dBytes(result.dFirst), "—", "—"],
    [
      `no-change push (median of ${args.repeat})`,
      sec(noopMs),
      `${noopBytes} B`,
      dTime(result.dNoop),
      dBytes(result.dNoop),
      `< 1 s, 0 B`,
      noopMs < 1000 && noopBytes === 0 ? "yes" : "no",
    ],
    [
      `one service changed (${leaf})`,
      sec(change.ms),
      `${mb(change.bytesSent)} = ${ratio.toFixed(3)}× app layer (${mb(appLayer?.size ?? 0)})`,
      result.dChange ? sec(result.dChange.ms) : "not run",
      result.dChange ? mb(result.dChange.blobBytes) : "not run",
      "< 1.1× changed layer",
      ratio < 1.1 ? "yes" : "no",
    ],
  ];
  const table = markdownTable(
    ["scenario", "dray time", "dray bytes sent", "docker push time", "docker bytes", "goal", "met?"],
    rows,
  );
  const loadEnd = loadavg()[0].toFixed(1);
  const noopJsonMs = median(noop.map((p) => p.maxPushMs));
  const md = [
    `## Push (bench/push.mjs)`,
    "",
    `${formatMachine(machine)}, ${loadEnd} at end.`,
    "",
    `Fleet: ${args.services} services, ${args.packages} packages; one \`dray build --json\` first (${sec(build.ms)}, not counted). ` +
      `Each registry is \`${REGISTRY}\` on 127.0.0.1, fresh and empty, behind a counting Node proxy; ` +
      "bytes are request body bytes of blob uploads as the proxy saw them (dray's own `bytesSent` agreed: see checks). " +
      "dray times are wall times of `dray push --json` (it includes the cached build); docker times are sequential `docker push` " +
      "of the same images, copied from `.dray/oci` into the engine with `skopeo copy` (not timed), to a second registry.",
    "",
    table,
    "",
    `- one-change push: ${sec(change.ms)} wall; the pushes' \`ms\` in the JSON: longest ${sec(change.maxPushMs)}, sum ${sec(change.sumPushMs)}; ` +
      `\`dray build --json\` alone after the same kind of edit: ${sec(buildOnly.ms)}. Uploaded: ` +
      leafBlobs.map((b) => `${b.digest.slice(7, 19)} ${b.size} B`).join(", ") +
      `; manifests etc. (non-blob request bytes): ${mb(change.proxyOtherBytes)}.`,
    `- no-change pushes: ${noop.map((p) => sec(p.ms)).join(", ")}; longest per-image \`ms\` in JSON (median): ${sec(noopJsonMs)}; ` +
      `${noop[0].requests} HTTP requests each.`,
    `- first push: ${mb(first.bytesSent)} sent, ${mb(first.bytesSkipped)} skipped (blobs shared between services); ` +
      `actions: ${Object.entries(countActions(first.json.push.flatMap((p) => p.blobs)))
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}.`,
    ...(result.dFirst
      ? [
          `- docker: first push ${result.dFirst.pushed}/${result.dFirst.total} images in ${sec(result.dFirst.ms)}, ${mb(result.dFirst.blobBytes)}; docker recompresses the layers itself, so its sizes differ from dray's.`,
        ]
      : []),
    ...result.notes.map((n) => `- ${n}`),
    "",
    "Checks:",
    "",
    ...checks.map((c) => `- ${c.ok ? "ok" : "**FAILED**"}: ${c.label}${c.detail ? ` (${c.detail})` : ""}`),
  ].join("\n");
  console.log(md);
  if (!args["no-results"]) {
    writeSection(join(repo, "bench", "RESULTS.md"), `push-${args.services}-${args.packages}`, md);
    log("updated bench/RESULTS.md");
  }
  cleanUp();
  process.exit(checks.some((c) => !c.ok) ? 1 : 0);
} catch (error) {
  console.error(`error: ${error.stack ?? error}`);
  cleanUp();
  process.exit(1);
}

/** How many blobs each push action (uploaded, mounted, exists) covered. */
function countActions(blobs) {
  const counts = {};
  for (const blob of blobs) counts[blob.action] = (counts[blob.action] ?? 0) + 1;
  return counts;
}
