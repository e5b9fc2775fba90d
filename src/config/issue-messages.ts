/**
 * Plain-words messages for zod's issues. The schema gives its own message where a generic one
 * would be vague (a platform, a port); everything else is worded here, once, so that every
 * problem in dray.yaml reads the same: what was expected and what was found.
 */
import type * as z from "zod";

/** How a value from dray.yaml is named in a message: strings quoted, lists and maps by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a map";
}

const typeNames: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a map",
  record: "a map",
};

/** How a type zod expected is named in a message. */
export function describeType(expected: string): string {
  return typeNames[expected] ?? expected;
}

function tooSmall(iss: Extract<z.core.$ZodRawIssue, { code: "too_small" }>): string {
  const min = Number(iss.minimum);
  if (iss.origin === "string")
    return min <= 1 ? "must not be empty" : `must be at least ${min} characters long`;
  if (iss.origin === "array")
    return min <= 1 ? "must list at least one item" : `must list at least ${min} items`;
  return `must be at least ${min}, got ${describeValue(iss.input)}`;
}

function tooBig(iss: Extract<z.core.$ZodRawIssue, { code: "too_big" }>): string {
  const max = Number(iss.maximum);
  if (iss.origin === "string") return `must be at most ${max} characters long`;
  if (iss.origin === "array") return `must list at most ${max} items`;
  return `must be at most ${max}, got ${describeValue(iss.input)}`;
}

/**
 * The error map passed to every parse of dray.yaml. Messages the schema sets itself win over it
 * (zod's precedence), so this only has to be right for the generic cases.
 */
export function issueMessage(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case "invalid_type":
      return `expected ${describeType(iss.expected)}, got ${describeValue(iss.input)}`;
    case "too_small":
      return tooSmall(iss);
    case "too_big":
      return tooBig(iss);
    case "invalid_value":
      return `${describeValue(iss.input)} is not allowed here — allowed: ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return `${describeValue(iss.input)} does not have the expected form${iss.pattern ? ` (${iss.pattern})` : ""}`;
    case "invalid_union":
      return `${describeValue(iss.input)} does not have any of the allowed forms`;
    case "invalid_key":
      return `${describeValue(iss.input)} is not allowed as a key here`;
    case "unrecognized_keys":
      // Rewritten per key, with a suggestion, when issues become problems; this is a fallback.
      return `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default:
      return `${describeValue(iss.input)} is not valid here`;
  }
}
