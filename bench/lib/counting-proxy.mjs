// A counting HTTP reverse proxy on 127.0.0.1 in front of a local registry: every request is
// forwarded unchanged (Host included, so the registry's upload Locations point back at the
// proxy), and the request body bytes are counted — blob uploads (PATCH/PUT/POST under
// /blobs/uploads/) apart from everything else (manifests). Only ever talks to 127.0.0.1.
import { Agent, createServer, request } from "node:http";

/**
 * Starts the proxy in front of `upstream` ("127.0.0.1:PORT"); resolves to
 * { host, counts, reset(), stop() }. counts: { blobBytes, otherBytes, requests, blobUploads }.
 */
export function startCountingProxy(upstream) {
  const [upHost, upPort] = upstream.split(":");
  if (upHost !== "127.0.0.1") throw new Error(`counting proxy: upstream must be 127.0.0.1, got ${upstream}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts = { blobBytes: 0, otherBytes: 0, requests: 0, blobUploads: 0 };
  const reset = () => Object.assign(counts, { blobBytes: 0, otherBytes: 0, requests: 0, blobUploads: 0 });
  const server = createServer((req, res) => {
    counts.requests++;
    const isBlobUpload =
      /\/blobs\/uploads\//.test(req.url ?? "") && req.method !== "GET" && req.method !== "DELETE";
    if (isBlobUpload && req.method === "PUT") counts.blobUploads++;
    req.on("data", (chunk) => {
      if (isBlobUpload) counts.blobBytes += chunk.length;
      else counts.otherBytes += chunk.length;
    });
    const up = request(
      { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers, agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error.message));
    });
    req.pipe(up);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      const stop = () => {
        server.closeAllConnections?.();
        server.close();
        agent.destroy();
      };
      resolve({ host: `127.0.0.1:${port}`, counts, reset, stop });
    });
  });
}
