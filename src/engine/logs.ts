/** Reading a container's log: the engine multiplexes stdout and stderr into framed chunks. */
import type { EngineClient } from "./client.js";

/**
 * Splits a log body into lines. Without a TTY each frame is an 8-byte header (stream type, three
 * zero bytes, big-endian length) and its payload; a body that does not look framed is plain text.
 */
export function demultiplexLog(body: Buffer): string[] {
  const parts: Buffer[] = [];
  let offset = 0;
  const framed = body.length >= 8 && body[0]! <= 2 && body[1] === 0 && body[2] === 0 && body[3] === 0;
  if (!framed) parts.push(body);
  else {
    while (offset + 8 <= body.length) {
      const size = body.readUInt32BE(offset + 4);
      parts.push(body.subarray(offset + 8, offset + 8 + size));
      offset += 8 + size;
    }
  }
  return Buffer.concat(parts)
    .toString("utf8")
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => line.length > 0);
}

/** The last `count` lines a container wrote (stdout and stderr); empty when it is gone. */
export async function lastLogLines(
  engine: EngineClient,
  container: string,
  count: number,
): Promise<string[]> {
  const res = await engine.raw({
    method: "GET",
    path: `/containers/${encodeURIComponent(container)}/logs`,
    query: { stdout: true, stderr: true, tail: count },
  });
  return res.status === 200 ? demultiplexLog(res.body).slice(-count) : [];
}
