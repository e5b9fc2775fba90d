// A tiny `--name value` / `--flag` parser for the bench scripts, so they need no dependencies.
// Unknown options are errors: a typo must not silently run a 20-minute benchmark with defaults.

/**
 * Parses argv against `spec`, a map of option name → default value. A boolean default makes a
 * flag; a number default makes the value parse as a non-negative integer.
 */
export function parseArgs(argv, spec, usage) {
  const out = { ...spec };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name === "help") fail(null, usage);
    if (name === undefined || !(name in spec)) fail(`unknown argument ${arg}`, usage);
    if (typeof spec[name] === "boolean") {
      out[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) fail(`--${name} needs a value`, usage);
    if (typeof spec[name] === "number") {
      if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, got ${value}`, usage);
      out[name] = Number(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

function fail(message, usage) {
  if (message) console.error(`error: ${message}`);
  console.error(usage);
  process.exit(message ? 2 : 0);
}
