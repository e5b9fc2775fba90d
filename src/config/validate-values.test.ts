/**
 * Values checked beyond their type: an image's OCI user, files: entries that would write one path
 * twice, and keys written twice in a map of any size.
 */
import { describe, expect, it } from "vitest";
import { problemsOfLines } from "../../test/support/config-lines.js";

const problemsOf = (lines: readonly string[]) => problemsOfLines(lines, { env: {} });

/** A valid file's first lines: a project and one Go service, so a case adds only its mistake. */
const api = ["project: shop", "services:", "  api:", "    go: ./services/api"];

const userCases: { user: string; problem: string | undefined }[] = [
  { user: '"65532:65532"', problem: undefined },
  { user: "65532", problem: undefined },
  { user: "0", problem: undefined },
  { user: "app", problem: undefined },
  { user: '"app:staff"', problem: undefined },
  { user: '"nobody:65534"', problem: undefined },
  { user: '"www-data"', problem: undefined },
  {
    user: '"ro ot"',
    problem:
      '"ro ot" is not a user name — names are letters, digits, "_", "." and "-", not starting with "." or "-"',
  },
  {
    user: '"a:b:c"',
    problem:
      '"a:b:c" is not a user — write a user name or id, optionally with ":" and a group name or id, e.g. "65532:65532" or "app"',
  },
  {
    user: '"app:"',
    problem:
      '"app:" is not a user — write a user name or id, optionally with ":" and a group name or id, e.g. "65532:65532" or "app"',
  },
  {
    user: '""',
    problem:
      '"" is not a user — write a user name or id, optionally with ":" and a group name or id, e.g. "65532:65532" or "app"',
  },
  {
    user: '"1000:-x"',
    problem:
      '"-x" is not a group name — names are letters, digits, "_", "." and "-", not starting with "." or "-"',
  },
  { user: '"99999999999"', problem: "user id 99999999999 is too large — ids go from 0 to 4294967294" },
  { user: '"0:4294967295"', problem: "group id 4294967295 is too large — ids go from 0 to 4294967294" },
  {
    user: "4294967295",
    problem: "the number 4294967295 is not a user id — ids are whole numbers from 0 to 4294967294",
  },
  { user: "-1", problem: "the number -1 is not a user id — ids are whole numbers from 0 to 4294967294" },
  { user: `"${"a".repeat(33)}"`, problem: `user name "${"a".repeat(33)}" is longer than 32 characters` },
];

describe("the OCI user of an image", () => {
  it.each(userCases)("user: $user", ({ user, problem }) => {
    const problems = problemsOf([...api, `    user: ${user}`]);
    expect(problems).toEqual(problem === undefined ? [] : [`dray.yaml:5:11  services.api.user: ${problem}`]);
  });
});

describe("files: entries that write one path", () => {
  it.each([
    {
      description: "the same destination twice, however it is spelled, is reported at the second entry",
      files: ['"a.json:/etc/app.json"', "{ from: b.json, to: /etc//app.json }"],
      expected: [
        'dray.yaml:7:9  services.api.files[1]: "/etc//app.json" is also the destination of files[0] — each path in the image can come from one entry only',
      ],
    },
    {
      description: "a directory given with and without a trailing slash",
      files: ['"conf:/etc/app"', '"more:/etc/app/"'],
      expected: [
        'dray.yaml:7:9  services.api.files[1]: "/etc/app/" is also the destination of files[0] — each path in the image can come from one entry only',
      ],
    },
    {
      description: "different destinations are fine",
      files: ['"a.json:/etc/a.json"', '"b.json:/etc/b.json"'],
      expected: [],
    },
  ])("$description", ({ files, expected }) => {
    expect(problemsOf([...api, "    files:", ...files.map((f) => `      - ${f}`)])).toEqual(expected);
  });
});

describe("duplicate keys in a big file", () => {
  it("finds every duplicate, at its line, in a map of 40,000 keys", () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `      K${i}: "v"`);
    // Three keys written again, far apart: each is reported once, where it is written the second time.
    keys.splice(30_000, 0, '      K7: "again"');
    keys.splice(20_000, 0, '      K12345: "again"');
    keys.push('      K39999: "again"');
    const problems = problemsOf([...api, "    env:", ...keys]);
    const line = (index: number) => api.length + 2 + index;
    expect(problems).toEqual([
      `dray.yaml:${line(20_000)}:7  duplicate key "K12345" — a key may appear only once in a map`,
      `dray.yaml:${line(30_001)}:7  duplicate key "K7" — a key may appear only once in a map`,
      `dray.yaml:${line(40_002)}:7  duplicate key "K39999" — a key may appear only once in a map`,
    ]);
  });
});
