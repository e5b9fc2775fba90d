import { describe, expect, it } from "vitest";
import { logLines } from "./log-frames.js";

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(chunks: Buffer[], framing?: "plain") {
  async function* body() {
    for (const chunk of chunks) yield chunk;
  }
  const out: string[] = [];
  for await (const line of logLines(body(), framing)) out.push(`${line.stream}: ${line.text}`);
  return out;
}

/** Every way of cutting `whole` into two chunks. */
function cuts(whole: Buffer): Buffer[][] {
  return Array.from({ length: whole.length + 1 }, (_, i) => [whole.subarray(0, i), whole.subarray(i)]);
}

describe("logLines", () => {
  it("splits framed stdout and stderr into lines, however the chunks fall", async () => {
    const whole = Buffer.concat([frame(1, "one\ntw"), frame(2, "err ü\n"), frame(1, "o\r\nlast")]);
    for (const chunks of cuts(whole))
      expect(await collect(chunks)).toEqual(["stdout: one", "stderr: err ü", "stdout: two", "stdout: last"]);
  });

  it("reads an unframed body (a container with a TTY) as text, a split character included", async () => {
    const whole = Buffer.from("héllo world\nsecond line\nend");
    for (const chunks of cuts(whole))
      expect(await collect(chunks)).toEqual(["stdout: héllo world", "stdout: second line", "stdout: end"]);
  });

  it("reads a pod's log as text even when it starts like a frame header", async () => {
    expect(await collect([Buffer.from("\x01\x00\x00\x00abc\n")], "plain")).toEqual([
      "stdout: \x01\x00\x00\x00abc",
    ]);
  });

  it("a short body is text", async () => {
    expect(await collect([Buffer.from("hi\n")])).toEqual(["stdout: hi"]);
  });
});
