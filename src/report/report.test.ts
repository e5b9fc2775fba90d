import { describe, expect, it } from "vitest";
import { outputStyle } from "../terminal/style.js";
import { formatBytes, formatMs, shortDigest } from "./format.js";
import { renderTable } from "./table.js";
import { createTracer, durationsBySubject } from "./trace.js";

describe("formatting", () => {
  it("formats bytes, durations and digests", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(2_610_000)).toBe("2.61 MB");
    expect(formatBytes(12_500)).toBe("12.5 KB");
    expect(formatMs(12.4)).toBe("12ms");
    expect(formatMs(1234)).toBe("1.23s");
    expect(shortDigest("sha256:0123456789abcdef0123")).toBe("0123456789ab");
  });

  it("aligns table columns, right-aligning the numeric ones and ignoring colour codes", () => {
    const text = renderTable(
      ["NAME", "SIZE"],
      [
        ["api", "1 KB"],
        ["\x1b[31mx\x1b[0m", "10 KB"],
      ],
      [1],
    );
    expect(text.split("\n")).toEqual(["NAME   SIZE", "api    1 KB", "\x1b[31mx\x1b[0m     10 KB"]);
  });
});

describe("output style", () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  it("is plain in CI and without a terminal, honours NO_COLOR", () => {
    expect(outputStyle(tty, {})).toEqual({ interactive: true, color: true });
    expect(outputStyle(tty, { CI: "true" })).toEqual({ interactive: false, color: true });
    expect(outputStyle(tty, { NO_COLOR: "1" })).toEqual({ interactive: true, color: false });
    expect(outputStyle({ isTTY: false } as NodeJS.WriteStream, {})).toEqual({
      interactive: false,
      color: false,
    });
  });
});

describe("tracer", () => {
  it("records spans on the injected clock, even when the step throws", async () => {
    let t = 0;
    const tracer = createTracer(() => t);
    await tracer.span(
      "compile",
      async () => {
        t += 30;
      },
      { subject: "api" },
    );
    await expect(
      tracer.span(
        "pack",
        async () => {
          t += 5;
          throw new Error("boom");
        },
        { subject: "api" },
      ),
    ).rejects.toThrow("boom");
    await tracer.span(
      "pack",
      async () => {
        t += 2;
      },
      { subject: "api" },
    );
    expect(durationsBySubject(tracer.spans(), "api")).toEqual({ compile: 30, pack: 7 });
  });
});
