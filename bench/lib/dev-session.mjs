// `dray dev` as a child process of the dev benchmark: started in a process group of its own, its
// stderr kept line by line (and copied to a log file), the update lines it prints parsed into
// records, stopped with SIGINT as Ctrl-C would, or killed with its whole group when it does not
// stop in time. Also the poll that sees a new version answer, shared by every path of the bench.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { ENGINE_SOCKET, httpGet } from "./http.mjs";
import { containerAddress, PORT } from "./plain-deploy.mjs";
import { since } from "./plain-path.mjs";

// One update, as src/dev/terminal.ts formatUpdate prints it without colours:
//   18:08:57 api live ✓ detect 35ms · compile 320ms · copy 62ms · restart 415ms · ready 23ms = 869ms  (changed: …)
const UPDATE = /^(\d\d:\d\d:\d\d) (\S+) (live|rebuild) (✓|✗) (.*) = (\S+) {2}\((.*)\)$/;

/** "35ms" → 35, "1.23s" → 1230 (src/report/format.ts formatMs); NaN for anything else. */
export function parseDuration(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === "s" ? 1000 : 1);
}

/**
 * One update line of `dray dev` as { service, kind, ok, steps: { name: ms }, totalMs, reason };
 * undefined for any other line (service logs, notices, state changes).
 */
export function parseUpdateLine(line) {
  const match = UPDATE.exec(line);
  if (!match) return undefined;
  const steps = {};
  for (const part of match[5].split(" · ")) {
    const at = part.lastIndexOf(" ");
    steps[part.slice(0, at)] = parseDuration(part.slice(at + 1));
  }
  return {
    service: match[2],
    kind: match[3],
    ok: match[4] === "✓",
    steps,
    totalMs: parseDuration(match[6]),
    reason: match[7],
  };
}

/**
 * Starts `node <drayBin> dev …` in `cwd`. Returns { lines, waitForLine, tail, stop, kill }:
 * `waitForLine(test, { from, timeoutMs })` resolves to the index of the first line at or after
 * `from` that `test` accepts, and rejects when the process exits or the time is up.
 */
export function startDevSession({ drayBin, args, cwd, env, logFile }) {
  const child = spawn(process.execPath, [drayBin, "dev", ...args], {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile);
  const lines = [];
  const waiters = new Set();
  let exited = null;
  const settle = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.pipe(log, { end: false });
  createInterface({ input: child.stderr }).on("line", (line) => {
    lines.push(line);
    log.write(`${line}\n`);
    settle();
  });
  child.on("exit", (code, signal) => {
    exited = code ?? signal;
    settle();
  });
  child.on("error", (error) => {
    exited = error.message;
    settle();
  });

  const tail = (n = 30) => lines.slice(-n).join("\n");

  function waitForLine(test, { from = 0, timeoutMs }) {
    return new Promise((resolve, reject) => {
      let next = from;
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`dray dev printed no matching line within ${timeoutMs / 1000} s; last lines:\n${tail()}`),
        );
      }, timeoutMs);
      const check = () => {
        for (; next < lines.length; next++) {
          if (!test(lines[next])) continue;
          clearTimeout(timer);
          waiters.delete(check);
          return resolve(next);
        }
        if (exited === null) return;
        clearTimeout(timer);
        waiters.delete(check);
        reject(new Error(`dray dev exited (${exited}); last lines:\n${tail()}`));
      };
      waiters.add(check);
      check();
    });
  }

  /** Kills the whole process group at once; synchronous, for clean-up and signal handlers. */
  function kill() {
    if (exited !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }

  /** SIGINT, as Ctrl-C: dray dev stops watching and leaves the services running. */
  async function stop(timeoutMs = 30_000) {
    if (exited === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      process.kill(child.pid, "SIGINT");
      const timer = setTimeout(kill, timeoutMs);
      await gone;
      clearTimeout(timer);
    }
    await new Promise((resolve) => log.end(resolve));
    return exited;
  }

  return { lines, waitForLine, tail, stop, kill };
}

/**
 * Polls GET / of container `name` (its address on `network` from the engine's API) until the
 * answer is 200 and contains `text`; resolves to the milliseconds since `start` (a
 * process.hrtime.bigint()). A new request starts every `intervalMs` without waiting for the ones
 * still open: while a container restarts, a connection attempt can hang until TCP retries its SYN
 * (a second later), and a poll that waited for it would report that second as the update's. The
 * address is looked up again every `lookupMs`, since a replaced container may have a new one.
 * Aborting `signal` stops the poll early; it then resolves to undefined.
 */
export function waitForText({
  name,
  network,
  text,
  start,
  timeoutMs,
  intervalMs = 5,
  lookupMs = 100,
  signal,
}) {
  const maxOpen = 64;
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    let host;
    let lookedUpAt = 0;
    let lookingUp = false;
    let open = 0;
    let done = false;
    let last = "nothing yet";
    const finish = (settle) => {
      done = true;
      clearInterval(timer);
      settle();
    };
    const lookUp = async () => {
      lookingUp = true;
      lookedUpAt = Date.now();
      try {
        host = (await containerAddress(name, network)) ?? host;
      } catch (error) {
        last = `engine: ${error.message}`;
      } finally {
        lookingUp = false;
      }
    };
    const tick = () => {
      if (done) return;
      if (signal?.aborted) return finish(() => resolve(undefined));
      if (Date.now() > deadline) {
        const why = `GET / of ${name} did not answer "${text}" within ${timeoutMs / 1000} s: ${last}`;
        return finish(() => reject(new Error(why)));
      }
      if (!lookingUp && (host === undefined || Date.now() - lookedUpAt > lookupMs)) void lookUp();
      if (host === undefined || open >= maxOpen) return;
      open++;
      void httpGet({ host, port: PORT, path: "/", timeoutMs: 250 }).then((res) => {
        open--;
        if (done) return;
        if (res.status === 200 && res.body.includes(text)) return finish(() => resolve(since(start)));
        last = res.status
          ? `${res.status} ${JSON.stringify(res.body.trim().slice(0, 120))}`
          : `no answer from ${host}`;
      });
    };
    const timer = setInterval(tick, intervalMs);
    tick();
  });
}

/**
 * The engine's restart of container `name` alone (`POST /containers/{name}/restart?t=2`, as dray
 * dev sends it), over the unix socket; resolves to the HTTP status, 0 when nothing answered.
 */
export function restartContainer(name, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath: ENGINE_SOCKET,
        path: `/containers/${encodeURIComponent(name)}/restart?t=2`,
        method: "POST",
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}
