import { afterEach, describe, expect, it, vi } from "vitest";
import { listenForReplaceInterrupt } from "./interrupt.js";

describe("Ctrl-C while services are replaced", () => {
  afterEach(() => vi.restoreAllMocks());

  it("stops new work at the first, warns at the second, quits with 130 only at the third", () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const written: string[] = [];
    const before = process.listenerCount("SIGINT");
    const interruption = listenForReplaceInterrupt((text) => written.push(text));
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    expect(interruption.signal.aborted).toBe(false);

    process.emit("SIGINT", "SIGINT");
    expect(interruption.signal.aborted).toBe(true);
    expect(written.join("")).toContain("interrupted: finishing the services already in hand");
    expect(exit).not.toHaveBeenCalled();

    process.emit("SIGINT", "SIGINT");
    expect(written[1]).toContain("Ctrl-C once more quits at once");
    expect(exit).not.toHaveBeenCalled();

    process.emit("SIGINT", "SIGINT");
    expect(exit).toHaveBeenCalledWith(130);

    interruption.dispose();
    expect(process.listenerCount("SIGINT")).toBe(before);
  });
});
