/**
 * How dray talks to `dray-supervise` (its source is supervise.go beside this file), the small
 * process dray dev runs as PID 1 of a service's container in front of the service's own command.
 * It restarts that command on request, so a live update replaces a binary and starts it again in
 * milliseconds instead of restarting the container (which tears down and rebuilds its network: a
 * few hundred milliseconds on Docker's engine).
 *
 * It is compiled on the host by the same Go toolchain as the services (see build.ts) and copied
 * into each dev container through the archive API, so images need nothing extra: a FROM-scratch
 * image works. A reload is asked for over TCP on the container's address (see SUPERVISOR_PORT),
 * or, where the host cannot reach container addresses (rootless engines), by running
 * `dray-supervise reload` in the container (an engine exec), which talks to PID 1 over an
 * abstract unix socket that needs no writable file system. Either way the answer comes only once
 * the new process has started, so dray's readiness check never sees the old one.
 */

/**
 * The port the supervisor also listens on, on the container's own address, so that dray on the
 * host asks for a reload with one TCP round trip instead of an engine exec (~50 ms). A request
 * must carry the container's token (DRAY_SUPERVISE_TOKEN), so other containers on the network
 * cannot restart it.
 */
export const SUPERVISOR_PORT = 47470;

/** Where the supervisor lives in a dev container. */
export const SUPERVISOR_PATH = "/.dray/dray-supervise";

/**
 * Where a dev container sees its service's directory under `.dray/dev/live` on the host, mounted
 * read-only when the engine shares this machine's file system (see ../binary-delivery.ts).
 */
export const LIVE_MOUNT = "/.dray/live";

/** The variable naming the binary the supervisor runs, once it exists, in place of the image's own. */
export const LIVE_BINARY_ENV = "DRAY_SUPERVISE_LIVE";
