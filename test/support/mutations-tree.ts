/**
 * TEST HELPER: random changes to a project's files for the property test — deleted files and folders,
 * files where folders should be and the reverse, symlinks leading out of the project or in circles,
 * odd permission bits, garbage contents, file names that are not UTF-8, a sparse file past 2 GiB —
 * and to dray's own state in `.dray` (garbage, truncated or misplaced files). Symlinks point at the
 * case's own `outside` folder, never elsewhere on the machine.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, open, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { CaseDirs, Mutation } from "./mutations.js";
import type { Prng } from "./prng.js";

const run = promisify(execFile);

/** Files and folders of the example, relative, sorted. */
export interface TreeFacts {
  files: readonly string[];
  dirs: readonly string[];
}

const tree = (
  describe: string,
  apply: (dirs: CaseDirs, at: (rel: string) => string) => Promise<unknown>,
): Mutation => ({
  describe,
  phase: 2,
  async apply(dirs) {
    await apply(dirs, (rel) => path.join(dirs.root, rel)).catch(() => undefined);
  },
});

/** Names that are legal on Linux but awkward: not UTF-8, with a newline, at the length limit… */
const ODD_NAMES: { show: string; name: Buffer }[] = [
  { show: "\\xff\\xfe.txt (not UTF-8)", name: Buffer.from([0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]) },
  { show: "new\\nline.txt", name: Buffer.from("new\nline.txt") },
  { show: "255 × x", name: Buffer.from("x".repeat(255)) },
  { show: "127 × ü", name: Buffer.from("ü".repeat(127)) },
  { show: "-rf", name: Buffer.from("-rf") },
  { show: " spaced .txt", name: Buffer.from(" spaced .txt") },
  { show: "back\\slash:colon*.txt", name: Buffer.from("back\\slash:colon*.txt") },
  { show: "Ünïcödé.html (NFD)", name: Buffer.from("Ünïcödé.html".normalize("NFD")) },
];

/** Folders whose files end up in an image or an input key: where an added file is read. */
const READ_DIRS = ["web/src", "web", "services/api/static", "services/api", "internal/greeting"];

/** One change to the project's files. */
export function treeMutation(rng: Prng, facts: TreeFacts): Mutation {
  const file = rng.pick(facts.files);
  const dir = rng.chance(0.5) ? rng.pick(READ_DIRS) : rng.pick(facts.dirs);
  switch (rng.int(0, 15)) {
    case 0:
      return tree(`delete ${file}`, (_, at) => rm(at(file), { force: true }));
    case 1:
      return tree(`delete folder ${dir}`, (_, at) => rm(at(dir), { recursive: true, force: true }));
    case 2:
      return tree(`replace folder ${dir} with a file`, async (_, at) => {
        await rm(at(dir), { recursive: true, force: true });
        await writeFile(at(dir), "not a folder\n");
      });
    case 3:
      return tree(`replace ${file} with a folder`, async (_, at) => {
        await rm(at(file), { force: true });
        await mkdir(path.join(at(file), "inner"), { recursive: true });
      });
    case 4: {
      const target = rng.pick(["<outside>", "<outside>/secret.txt", "../../outside"]);
      return tree(`symlink ${dir}/link → ${target}`, (d, at) =>
        symlink(target.replace("<outside>", d.outside), path.join(at(dir), "link")),
      );
    }
    case 5:
      return tree(`replace folder ${dir} with a symlink → <outside>`, async (d, at) => {
        await rm(at(dir), { recursive: true, force: true });
        await symlink(d.outside, at(dir));
      });
    case 6:
      return tree(`symlink ${dir}/loop → . (a cycle)`, (_, at) => symlink(".", path.join(at(dir), "loop")));
    case 7:
      return tree(`dangling symlink ${dir}/dangling and self-link ${dir}/self`, async (_, at) => {
        await symlink("does-not-exist", path.join(at(dir), "dangling"));
        await symlink("self", path.join(at(dir), "self"));
      });
    case 8: {
      const mode = rng.pick([0o000, 0o200, 0o111, 0o777, 0o4755]);
      const target = rng.chance(0.5) ? file : dir;
      return tree(`chmod ${mode.toString(8)} ${target}`, (_, at) => chmod(at(target), mode));
    }
    case 9: {
      const size = rng.int(1, 4096);
      const bytes = rng.bytes(size);
      return tree(`overwrite ${file} with ${size} random bytes`, (_, at) => writeFile(at(file), bytes));
    }
    case 10:
      return tree(`truncate ${file} to 0 bytes`, (_, at) => writeFile(at(file), ""));
    case 11: {
      const odd = rng.pick(ODD_NAMES);
      return tree(`add file ${dir}/${odd.show}`, (_, at) =>
        writeFile(Buffer.concat([Buffer.from(`${at(dir)}/`), odd.name]), "odd\n"),
      );
    }
    case 12:
      return tree(`add a sparse file of 2 GiB + 1 byte as ${dir}/huge.bin`, async (_, at) => {
        const handle = await open(path.join(at(dir), "huge.bin"), "w");
        await handle.truncate(2 ** 31 + 1);
        await handle.close();
      });
    case 13:
      return tree(`add empty folders ${dir}/empty/a/b`, (_, at) =>
        mkdir(path.join(at(dir), "empty", "a", "b"), { recursive: true }),
      );
    case 14:
      return tree(`chmod 0555 ${dir} and the files in it`, async (_, at) => {
        for (const name of await readdir(at(dir)))
          await chmod(path.join(at(dir), name), 0o555).catch(() => undefined);
        await chmod(at(dir), 0o555);
      });
    default:
      return tree(`add a Unix socket ${dir}/sock`, (_, at) =>
        run("python3", [
          "-c",
          "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])",
          path.join(at(dir), "sock"),
        ]),
      );
  }
}

/** Paths of dray's own state under `.dray` after a build; entries and blobs are picked at apply time. */
const STATE_PATHS = [
  ".dray",
  ".dray/oci",
  ".dray/oci/index.json",
  ".dray/oci/oci-layout",
  ".dray/oci/blobs",
  ".dray/cache",
  ".dray/cache/entries",
  ".dray/cache/last.json",
  ".dray/cache/size.json",
  ".dray/cache/config.json",
  ".dray/cache/stat-cache.tsv",
  ".dray/cache/entries/<entry k>",
];

/** One change to dray's state in `.dray`: what a crash, a full disk or a careless user can leave. */
export function stateMutation(rng: Prng): Mutation {
  const target = rng.pick(STATE_PATHS);
  const k = rng.int(0, 1000);
  const how = rng.pick([
    "garbage",
    "half",
    "empty",
    "delete",
    "swap-kind",
    "json-object",
    "other-entry",
  ] as const);
  const garbage = rng.bytes(rng.int(1, 256));
  const shown = target.replace("<entry k>", `entry #${k} (mod count, sorted)`);
  return {
    describe: `${shown}: ${how}`,
    phase: 3,
    async apply(dirs): Promise<void> {
      const resolve = async (rel: string) => {
        if (!rel.includes("<entry k>")) return path.join(dirs.root, rel);
        const entries = path.join(dirs.root, ".dray/cache/entries");
        const names = (await readdir(entries).catch(() => [])).sort();
        return names.length ? path.join(entries, names[k % names.length]!) : undefined;
      };
      const full = await resolve(target);
      if (!full) return;
      const isDir = await readdir(full).then(
        () => true,
        () => false,
      );
      if (how === "delete") return void (await rm(full, { recursive: true, force: true }));
      if (how === "swap-kind") {
        await rm(full, { recursive: true, force: true });
        if (isDir) await writeFile(full, "a file where a folder was\n");
        else await mkdir(full, { recursive: true });
        return;
      }
      if (isDir) return;
      const before = await readFile(full).catch(() => Buffer.alloc(0));
      if (how === "other-entry") {
        const entries = path.join(dirs.root, ".dray/cache/entries");
        const names = (await readdir(entries).catch(() => [])).sort();
        const other = names.length > 1 ? names[(k + 1) % names.length] : undefined;
        if (other) await writeFile(full, await readFile(path.join(entries, other)));
        return;
      }
      const next = { garbage, half: before.subarray(0, before.length >> 1), empty: "", "json-object": "{}" }[
        how
      ];
      await writeFile(full, next);
    },
  };
}
