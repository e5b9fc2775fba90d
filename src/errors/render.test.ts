import { describe, expect, it } from "vitest";
import { ExitCode, RemoteError, UserError } from "./errors.js";
import { describeError, errorJson, errorMessage, errorText, failureExitCode, renderError } from "./render.js";

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

describe("the other forms of an error", () => {
  const user = new UserError("cannot compile api", {
    exitCode: ExitCode.environment,
    details: "main.go:3: x",
    hint: "fix it",
  });
  const bare = new UserError("unknown service web");
  const remote = new RemoteError("registry said 500", { status: 500, hint: "retry later" });
  const bug = new TypeError("x is undefined");
  const cases = [
    {
      description: "a user error with details and hint",
      error: user,
      json: { message: "cannot compile api", details: "main.go:3: x", hint: "fix it" },
      jsonText: '{"message":"cannot compile api","details":"main.go:3: x","hint":"fix it"}',
      text: "cannot compile api\nmain.go:3: x",
      exitCode: 3,
    },
    {
      description: "a user error without details or hint",
      error: bare,
      json: { message: "unknown service web", details: undefined, hint: undefined },
      jsonText: '{"message":"unknown service web"}',
      text: "unknown service web",
      exitCode: 1,
    },
    {
      description: "a remote error (its hint is not part of the JSON)",
      error: remote,
      json: { message: "registry said 500" },
      jsonText: '{"message":"registry said 500"}',
      text: "registry said 500",
      exitCode: 1,
    },
    {
      description: "a bug",
      error: bug,
      json: { message: "x is undefined" },
      jsonText: '{"message":"x is undefined"}',
      text: "x is undefined",
      exitCode: 1,
    },
    {
      description: "a thrown value that is not an Error",
      error: "boom",
      json: { message: "boom" },
      jsonText: '{"message":"boom"}',
      text: "boom",
      exitCode: 1,
    },
  ];

  it.each(cases)("renders $description for --json, dev mode and the exit code", (c) => {
    expect(errorJson(c.error)).toEqual(c.json);
    expect(JSON.stringify(errorJson(c.error))).toBe(c.jsonText);
    expect(errorMessage(c.error)).toBe(c.json.message);
    expect(errorText(c.error)).toBe(c.text);
    expect(failureExitCode(c.error)).toBe(c.exitCode);
  });

  it("classifies once: user, remote and internal, with the terminal's exit codes", () => {
    expect(describeError(user)).toEqual({
      kind: "user",
      message: "cannot compile api",
      details: "main.go:3: x",
      hint: "fix it",
      exitCode: 3,
    });
    expect(describeError(remote)).toMatchObject({ kind: "remote", hint: "retry later", exitCode: 1 });
    expect(describeError(bug)).toMatchObject({ kind: "internal", stack: bug.stack, exitCode: 70 });
    expect(describeError(42)).toEqual({ kind: "internal", message: "42", stack: "42", exitCode: 70 });
  });
});
