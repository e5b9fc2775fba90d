/**
 * Reading a log stream as it arrives. Without a TTY the engine frames stdout and stderr: an 8-byte
 * header (stream type, three zero bytes, big-endian length) before each payload. Frames may split
 * across chunks and lines across frames; a stream that does not start like a frame is plain text
 * (a container with a TTY).
 */

/** One complete line of a log, without its line ending. */
export interface LogLine {
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

/**
 * The lines of a log body as they come; a last line without a newline is given when the body ends.
 * `plain` reads a body that is never framed (a Kubernetes pod's log) as text.
 */
export async function* logLines(
  body: AsyncIterable<Buffer | string>,
  framing: "detect" | "plain" = "detect",
): AsyncGenerator<LogLine> {
  let pending = Buffer.alloc(0);
  let framed: boolean | undefined = framing === "plain" ? false : undefined;
  const partial: Record<LogLine["stream"], string> = { stdout: "", stderr: "" };
  function* split(stream: LogLine["stream"], text: string): Generator<LogLine> {
    const lines = (partial[stream] + text).split("\n");
    partial[stream] = lines.pop() ?? "";
    for (const line of lines) yield { stream, text: line.replace(/\r$/, "") };
  }
  for await (const chunk of body) {
    pending = Buffer.concat([pending, typeof chunk === "string" ? Buffer.from(chunk) : chunk]);
    if (framed === undefined) {
      if (pending.length < 8) continue;
      framed = pending[0]! <= 2 && pending[1] === 0 && pending[2] === 0 && pending[3] === 0;
    }
    if (!framed) {
      // Only whole characters: a multi-byte one may straddle two chunks.
      const end = pending.lastIndexOf(0x0a) + 1;
      yield* split("stdout", pending.subarray(0, end).toString("utf8"));
      pending = pending.subarray(end);
      continue;
    }
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const stream = pending[0] === 2 ? "stderr" : "stdout";
      const payload = pending.subarray(8, 8 + size).toString("utf8");
      pending = pending.subarray(8 + size);
      yield* split(stream, payload);
    }
  }
  if (!framed && pending.length > 0) yield* split("stdout", pending.toString("utf8"));
  for (const stream of ["stdout", "stderr"] as const)
    if (partial[stream] !== "") yield { stream, text: partial[stream].replace(/\r$/, "") };
}
