/** Where the Docker Engine API listens: a target's `host`, else DOCKER_HOST, else the local socket. */
import { ExitCode, UserError } from "../errors/index.js";

/** How to connect: a unix socket path, or a TCP host and port (plain HTTP, as `tcp://` means to Docker). */
export type EngineAddress =
  | { readonly kind: "unix"; readonly socketPath: string; readonly text: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: number; readonly text: string };

export const DEFAULT_ENGINE = "unix:///var/run/docker.sock";

/** Parses "unix:///path" or "tcp://host:port"; anything else is a usage error naming where it came from. */
export function parseEngineAddress(text: string, source: string): EngineAddress {
  if (text.startsWith("unix://")) {
    const socketPath = text.slice("unix://".length);
    if (socketPath.startsWith("/")) return { kind: "unix", socketPath, text };
  }
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(text);
  if (tcp) return { kind: "tcp", host: tcp[1]!.replace(/^\[|\]$/g, ""), port: Number(tcp[2] ?? 2375), text };
  throw new UserError(`${source}: ${JSON.stringify(text)} is not an engine address`, {
    exitCode: ExitCode.usage,
    hint: 'Write "unix:///var/run/docker.sock" (a socket) or "tcp://127.0.0.1:2375".',
  });
}

/** The address a target uses: its own `host`, else DOCKER_HOST, else the default socket. */
export function engineAddress(
  host: string | undefined,
  env: NodeJS.ProcessEnv,
  where: string,
): EngineAddress {
  if (host !== undefined) return parseEngineAddress(host, where);
  if (env.DOCKER_HOST) return parseEngineAddress(env.DOCKER_HOST, "DOCKER_HOST");
  return parseEngineAddress(DEFAULT_ENGINE, "default engine");
}
