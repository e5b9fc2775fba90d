/**
 * Turns zod's issues into dray's problems: one problem per unknown key (placed on the key, with
 * a suggestion), a union's problem taken from the one form the user evidently meant, missing
 * keys placed on the map that lacks them.
 */
import * as z from "zod";
import { describeValue } from "./issue-messages.js";
import { type Problem, problemAt } from "./problems.js";
import { closest } from "./suggest.js";
import type { ConfigPath } from "./types.js";
import { meantForms, objectForms, type Schema, strayKeys, unwrap } from "./union-forms.js";

/** Adjusts how issues are worded for one parse. */
export interface TranslateOptions {
  /** A message for an unknown key of the object at `at` that is known elsewhere (a command key on a go service). */
  unknownKey?: (key: string, at: ConfigPath) => string | undefined;
}

/** The schema that checks the value at `path` below `schema`. */
function schemaAt(schema: Schema | undefined, path: readonly PropertyKey[]): Schema | undefined {
  const current = unwrap(schema);
  if (path.length === 0 || current === undefined) return current;
  const [head, ...rest] = path;
  if (current instanceof z.ZodObject) return schemaAt(current.shape[String(head)], rest);
  if (current instanceof z.ZodArray) return schemaAt(current.element, rest);
  if (current instanceof z.ZodRecord) return schemaAt(current.valueType, rest);
  if (current instanceof z.ZodUnion) {
    for (const option of current.options) {
      const found = schemaAt(option, path);
      if (found) return found;
    }
  }
  return undefined;
}

/** The keys an object schema allows, for suggestions; for a union, those of its object forms. */
function keysOf(schema: Schema | undefined): string[] {
  const current = unwrap(schema);
  if (current instanceof z.ZodObject) return Object.keys(current.shape);
  if (current instanceof z.ZodUnion) return [...new Set(current.options.flatMap((o: Schema) => keysOf(o)))];
  return [];
}

/** `unknown key "prots" — did you mean "ports"?`, or the list of keys allowed there. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closest(key, allowed);
  if (suggestion) return `unknown key ${JSON.stringify(key)} — did you mean ${JSON.stringify(suggestion)}?`;
  return allowed.length > 0
    ? `unknown key ${JSON.stringify(key)} — allowed here: ${allowed.join(", ")}`
    : `unknown key ${JSON.stringify(key)}`;
}

function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

/**
 * Converts the issues of one parse of `schema` (a value found at `base` in dray.yaml) into
 * problems. The parse must have used `reportInput: true`, which is how missing keys are told
 * from keys whose value is empty.
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  schema: Schema,
  base: ConfigPath,
  options: TranslateOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...toPath(issue.path)];
    switch (issue.code) {
      case "unrecognized_keys": {
        const where = schemaAt(schema, issue.path);
        const allowed = keysOf(where);
        for (const key of issue.keys) {
          // A key of another form of the same setting: `{ image, layout }` mixes two kinds of base.
          const mixed = allowed.includes(key)
            ? `${JSON.stringify(key)} does not go with the other keys here — write one of ${objectForms(where)}`
            : undefined;
          const message = options.unknownKey?.(key, path) ?? mixed ?? unknownKeyMessage(key, allowed);
          problems.push(problemAt([...path, key], "key", message));
        }
        break;
      }
      case "invalid_key":
        problems.push(problemAt(path, "key", issue.issues.map((i) => i.message).join("; ")));
        break;
      case "invalid_union": {
        const union = unwrap(schemaAt(schema, issue.path));
        const meant = meantForms(issue, union);
        const stray = strayKeys(meant);
        if (union instanceof z.ZodUnion && meant.length === 1) {
          const { errors, index } = meant[0]!;
          problems.push(...issuesToProblems(errors, union.options[index] as Schema, path, options));
        } else if (stray.length > 0) {
          // No form fits because of a typo in the key that tells the forms apart: `{ imag: … }`.
          for (const key of stray) {
            problems.push(problemAt([...path, key], "key", unknownKeyMessage(key, keysOf(union))));
          }
        } else {
          problems.push(problemAt(path, "value", issue.message));
        }
        break;
      }
      case "invalid_type":
        if (issue.input === undefined && path.length > 0) {
          problems.push(problemAt(path, "parent", `missing required key ${JSON.stringify(path.at(-1))}`));
        } else {
          problems.push(problemAt(path, "value", issue.message));
        }
        break;
      default:
        problems.push(
          problemAt(path, "value", issue.message || `${describeValue(issue.input)} is not valid here`),
        );
    }
  }
  return problems;
}
