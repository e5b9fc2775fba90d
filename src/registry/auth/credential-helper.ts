/**
 * Docker credential helpers (https://github.com/docker/docker-credential-helpers#development):
 * `docker-credential-NAME get` reads the server URL on stdin and prints
 * `{"ServerURL":…,"Username":…,"Secret":…}`; Username `<token>` marks Secret as an identity token.
 */
import { spawn } from "node:child_process";
import { UserError } from "../../errors/index.js";
import type { Credential } from "../types.js";

/** Runs one helper for one server; undefined when the helper has nothing for it. */
export type HelperRunner = (helper: string, serverUrl: string) => Promise<Credential | undefined>;

/** Helpers that print this (with a non-zero exit) simply have no entry for the server. */
const NOT_FOUND = /credentials not found/i;
/** Helpers may ask the OS keychain, which can prompt; give them time but not forever. */
const HELPER_TIMEOUT_MS = 60_000;
/** A helper's name becomes part of a program name: nothing that could walk the file system. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Spawns `docker-credential-<helper> get` (found on PATH, no shell) and reads its answer. */
export async function runCredentialHelper(
  helper: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credential | undefined> {
  const program = `docker-credential-${helper}`;
  if (!HELPER_NAME.test(helper)) {
    throw new UserError(`credential helper name "${helper}" is not a valid program name`);
  }
  const { code, stdout, stderr } = await run(program, serverUrl, env);
  if (code !== 0) {
    if (NOT_FOUND.test(stdout) || NOT_FOUND.test(stderr)) return undefined;
    // Neither output is shown: a helper's partial answer or chatter could carry the secret.
    throw new UserError(`credential helper ${program} failed for ${serverUrl} (exit code ${code})`, {
      hint: `run \`echo ${serverUrl} | ${program} get\` to see what it says`,
    });
  }
  return parseHelperOutput(stdout, program);
}

/** The credential in a helper's JSON answer; `<token>` as Username means an identity token. */
export function parseHelperOutput(stdout: string, program: string): Credential | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    // JSON.parse quotes the input in its message, and the input holds the secret.
    throw new UserError(`credential helper ${program} printed something that is not JSON`);
  }
  const fields = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const username = fields["Username"];
  const secret = fields["Secret"];
  if (typeof secret !== "string" || secret === "") return undefined;
  if (username === "<token>") return { identityToken: secret };
  return { username: typeof username === "string" ? username : "", password: secret };
}

function run(
  program: string,
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ["get"], { stdio: ["pipe", "pipe", "pipe"], shell: false, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), HELPER_TIMEOUT_MS);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === "ENOENT"
          ? new UserError(`credential helper ${program} is not installed (named in your Docker config)`, {
              hint: `install ${program}, or remove it from credsStore/credHelpers in the config file`,
            })
          : new UserError(`could not run credential helper ${program} (${error.code ?? "error"})`),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // A helper that exits before reading stdin would make this write fail; the exit code tells the story.
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}
