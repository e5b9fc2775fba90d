import { describe, expect, it } from "vitest";
import { ExitCode, RemoteError, UserError } from "./errors.js";
import { renderError } from "./render.js";

const plain = { interactive: false, color: false };

describe("renderError", () => {
  it("shows a user error with details and hint, without a stack", () => {
    const { text, exitCode } = renderError(
      new UserError("dray.yaml has 1 problem", {
        exitCode: ExitCode.usage,
        details: "dray.yaml:3:5  x",
        hint: "fix it",
      }),
      plain,
    );
    expect(text).toBe("error: dray.yaml has 1 problem\n  dray.yaml:3:5  x\nhint: fix it");
    expect(exitCode).toBe(2);
  });

  it("shows a remote error as a failure", () => {
    const { text, exitCode } = renderError(
      new RemoteError("registry said 500", { hint: "retry later" }),
      plain,
    );
    expect(text).toBe("error: registry said 500\nhint: retry later");
    expect(exitCode).toBe(1);
  });

  it("shows a bug with its stack and asks for a report", () => {
    const { text, exitCode } = renderError(new TypeError("x is undefined"), plain);
    expect(text).toMatch(/^internal error: this is a bug in dray/);
    expect(text).toMatch(/TypeError: x is undefined\n\s+at /);
    expect(exitCode).toBe(70);
  });
});
