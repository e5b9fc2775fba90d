// The engine on a loopback TCP port, for the dev benchmark's archive path: a plain byte forwarder
// from 127.0.0.1:<free port> to the engine's unix socket, in the bench's own process. dray then
// sees DOCKER_HOST=tcp://127.0.0.1:<port> — an engine it cannot assume shares this machine's
// files — and copies binaries through the archive API, as it would for a remote engine.
import net from "node:net";
import { ENGINE_SOCKET } from "./http.mjs";

/** Starts the forwarder; resolves to { host, close() } with host "tcp://127.0.0.1:<port>". */
export function startEngineTcp(socketPath = ENGINE_SOCKET) {
  const open = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () =>
      resolve({
        host: `tcp://127.0.0.1:${server.address().port}`,
        close() {
          for (const socket of open) socket.destroy();
          server.close();
        },
      }),
    );
  });
}
