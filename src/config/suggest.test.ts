/** Did-you-mean: edit distances, and which misspellings get a suggestion. */
import { describe, expect, it } from "vitest";
import { closest, editDistance } from "./suggest.js";

describe("editDistance", () => {
  const cases: { description: string; a: string; b: string; expected: number }[] = [
    { description: "equal words", a: "ports", b: "ports", expected: 0 },
    { description: "a swap of neighbours is one edit", a: "prots", b: "ports", expected: 1 },
    { description: "one letter missing", a: "prts", b: "ports", expected: 1 },
    { description: "one letter replaced", a: "porta", b: "ports", expected: 1 },
    { description: "from nothing", a: "", b: "go", expected: 2 },
    { description: "unrelated words", a: "colour", b: "context", expected: 5 },
  ];
  it.each(cases)("$description", ({ a, b, expected }) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe("closest", () => {
  const keys = ["go", "context", "binary", "ports", "platforms", "buildEnv", "env", "to"];
  const cases: { description: string; word: string; expected: string | undefined }[] = [
    { description: "a transposition", word: "prots", expected: "ports" },
    { description: "case is ignored", word: "BuildEnv", expected: "buildEnv" },
    { description: "two edits in a short word", word: "binry", expected: "binary" },
    { description: "a third of a long word", word: "platformz-x", expected: "platforms" },
    { description: "nothing close", word: "colour", expected: undefined },
    { description: "a one-letter word suggests nothing", word: "x", expected: undefined },
    { description: "the nearest wins", word: "evn", expected: "env" },
  ];
  it.each(cases)("$description", ({ word, expected }) => {
    expect(closest(word, keys)).toBe(expected);
  });
});
