/** The go.mod / go.work line syntax, as far as dray reads it. */
import { describe, expect, it } from "vitest";
import { firstArg, parseModDirectives } from "./mod-syntax.js";

describe("parseModDirectives", () => {
  it("reads single lines and blocks, drops comments and unquotes arguments", () => {
    const text = [
      "// a comment",
      "go 1.22 // the language version",
      "",
      "use (",
      "\t./api",
      '\t"./my lib" // quoted',
      "\t`./raw`",
      ")",
      "godebug panicnil=1",
      "replace example.com/a => ../a",
    ].join("\n");
    expect(parseModDirectives(text)).toEqual([
      { verb: "go", args: ["1.22"] },
      { verb: "use", args: ["./api"] },
      { verb: "use", args: ["./my lib"] },
      { verb: "use", args: ["./raw"] },
      { verb: "godebug", args: ["panicnil=1"] },
      { verb: "replace", args: ["example.com/a", "=>", "../a"] },
    ]);
    expect(firstArg(parseModDirectives(text), "go")).toBe("1.22");
    expect(firstArg(parseModDirectives(text), "toolchain")).toBeUndefined();
  });

  it("reads CRLF files", () => {
    expect(parseModDirectives("module example.com/m\r\n\r\ngo 1.21\r\n")).toEqual([
      { verb: "module", args: ["example.com/m"] },
      { verb: "go", args: ["1.21"] },
    ]);
  });
});
