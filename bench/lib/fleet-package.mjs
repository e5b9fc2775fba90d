// Go source of one shared package of the benchmark fleet. Each package does real work (text,
// matrices, a generic cache, JSON, generated bit-mixing steps) so that compiling it costs about
// what a real shared package costs. The hand-written parts are real Go files in ./go (package
// name "fleetpkg", replaced here); the generated parts draw constants from the package's own
// random stream, so no two packages are the same code. Output is gofmt-clean.
import { readFileSync } from "node:fs";
import { createRandom, randomInt, randomU32 } from "./prng.mjs";

const templates = new URL("./go/", import.meta.url);

/** A template from ./go with its package name replaced. */
function template(file, name) {
  return readFileSync(new URL(file, templates), "utf8").replaceAll("fleetpkg", name);
}

/** Go identifier and import path of shared package `index`. */
export function packageRef(index) {
  const dir = `pkg-${String(index).padStart(2, "0")}`;
  return { dir, name: dir.replace("-", ""), path: `example.com/fleet/internal/${dir}` };
}

/** Files of shared package `index` as a map of file name → content. pkg-00 also holds the server. */
export function packageFiles(index) {
  const ref = packageRef(index);
  const random = createRandom(`package/${ref.dir}`);
  const files = new Map([
    [`${ref.name}.go`, describeFile(ref, index, random)],
    ["codec.go", codecFile(ref.name, random)],
    ["rules.go", rulesFile(ref.name, random)],
  ]);
  for (const file of ["text.go", "matrix.go", "cache.go"]) files.set(file, template(file, ref.name));
  if (index === 0) files.set("server.go", template("server.go", ref.name));
  return files;
}

function describeFile(ref, index, random) {
  const core = packageRef(0);
  // Every package but pkg-00 builds on pkg-00, as shared code in a real monorepo builds on a core.
  const imports = index === 0 ? `import "fmt"` : `import (\n\t"fmt"\n\n\t${core.name} "${core.path}"\n)`;
  const mixed = index === 0 ? "Mix(seed)" : `${core.name}.Mix(Mix(seed))`;
  return `// Package ${ref.name} is generated shared code for dray's build benchmarks.
package ${ref.name}

${imports}

// Name is the package's directory, shown in service responses.
const Name = "${ref.dir}"

const seed = 0x${randomU32(random).toString(16).padStart(8, "0")}

// Describe sums up a little of the package's work, so a service can show what it links.
func Describe() string {
	m := Identity(3)
	m[0][2] = float64(seed % 7)
	top := TopWords("to be or not to be that is the question", 1)
	return fmt.Sprintf("%s:%x:%g:%s", Name, ${mixed}, Det(m), top[0].Word)
}
`;
}

function codecFile(name, random) {
  const words = Array.from({ length: 256 }, () => `0x${randomU32(random).toString(16).padStart(8, "0")},`);
  const rows = [];
  for (let i = 0; i < words.length; i += 8) rows.push(`\t${words.slice(i, i + 8).join(" ")}`);
  return `package ${name}

import (
	"encoding/json"
	"fmt"
)

// Record is what services exchange; JSON because that is what real services speak.
type Record struct {
	ID     string            \`json:"id"\`
	Amount int64             \`json:"amount"\`
	Tags   []string          \`json:"tags,omitempty"\`
	Meta   map[string]string \`json:"meta,omitempty"\`
	Sum    uint32            \`json:"sum"\`
}

// Seal sets the record's checksum over its ID and amount.
func (r *Record) Seal() { r.Sum = checksum([]byte(fmt.Sprintf("%s/%d", r.ID, r.Amount))) }

// Encode seals and marshals the record.
func Encode(r Record) ([]byte, error) {
	r.Seal()
	return json.Marshal(r)
}

// Decode unmarshals a record and checks its checksum.
func Decode(b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return r, err
	}
	want := r.Sum
	r.Seal()
	if r.Sum != want {
		return r, fmt.Errorf("${name}: record %q: checksum %08x, want %08x", r.ID, want, r.Sum)
	}
	return r, nil
}

// checksum is table-driven like CRC-32; the table differs per package, so each compiles its own data.
func checksum(b []byte) uint32 {
	s := ^uint32(0)
	for _, c := range b {
		s = table[byte(s)^c] ^ (s >> 8)
	}
	return ^s
}

var table = [256]uint32{
${rows.join("\n")}
}
`;
}

/** How many generated mixing steps each package has; the main knob for per-package compile time. */
const RULES = 128;

function rulesFile(name, random) {
  const hex64 = () =>
    `0x${randomU32(random).toString(16).padStart(8, "0")}${randomU32(random).toString(16).padStart(8, "0")}`;
  const steps = [
    () => `\tx ^= x >> ${randomInt(random, 1, 63)}`,
    () => `\tx ^= x << ${randomInt(random, 1, 63)}`,
    () => `\tx *= ${hex64()} | 1`,
    () => `\tx += ${hex64()}`,
    () => `\tx = bits.RotateLeft64(x, ${randomInt(random, 1, 63)})`,
    () => `\tif x&${1 << randomInt(random, 0, 15)} == 0 {\n\t\tx = ^x\n\t}`,
  ];
  const funcs = [];
  for (let i = 0; i < RULES; i++) {
    const body = Array.from({ length: randomInt(random, 6, 12) }, () => steps[randomInt(random, 0, 5)]());
    funcs.push(
      `func rule${String(i).padStart(2, "0")}(x uint64) uint64 {\n${body.join("\n")}\n\treturn x\n}`,
    );
  }
  const names = funcs.map((_, i) => `rule${String(i).padStart(2, "0")},`);
  const table = [];
  for (let i = 0; i < names.length; i += 8) table.push(`\t${names.slice(i, i + 8).join(" ")}`);
  return `package ${name}

import "math/bits"

// Mix runs x through every step; services use it as deterministic busywork.
func Mix(x uint64) uint64 {
	for _, rule := range rules {
		x = rule(x)
	}
	return x
}

var rules = [...]func(uint64) uint64{
${table.join("\n")}
}

${funcs.join("\n\n")}
`;
}
