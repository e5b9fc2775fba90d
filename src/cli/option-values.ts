/**
 * Parsers for option values that commander checks while it reads the command line. Each says what
 * is allowed; commander prefixes the option and the value (`error: option '-j, --jobs <n>' argument
 * '0' is invalid.`) and exits 2 before any command runs. Options checked against dray.yaml or a
 * format dray owns (--lock-wait, --max-size, --platform) are checked by their command, first thing.
 */
import { InvalidArgumentError } from "commander";

const DIGITS = /^\d+$/;

/** A whole number from 1 up, written in plain digits (not "1.5", "1e3", "0x10" or " 2"). */
export function positiveInteger(value: string): number {
  const n = DIGITS.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("Expected a whole number of 1 or more, e.g. 4.");
  }
  return n;
}

/** A TCP port from 0 to 65535; 0 asks the system for any free port. */
export function portNumber(value: string): number {
  const n = DIGITS.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 65535) {
    throw new InvalidArgumentError("Expected a port from 1 to 65535, or 0 for any free port.");
  }
  return n;
}

/** `--shard I/N`: shard I (from 1) of N, e.g. "2/3". */
export function shardSpec(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1) {
    throw new InvalidArgumentError("Expected I/N: this runner's shard I of N runners, e.g. 2/3.");
  }
  if (index < 1 || index > count) {
    throw new InvalidArgumentError(`There is no shard ${index} of ${count}: I goes from 1 to ${count}.`);
  }
  return { index, count };
}
