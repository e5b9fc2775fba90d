/**
 * Which form of a union setting the user meant. A base is a string or one of two maps; when a
 * value fits none, the message should come from the form the user was evidently writing, not
 * list every way each form failed.
 */
import * as z from "zod";

/** Any zod schema. */
export type Schema = z.core.$ZodType;

/** One form's failures, with its index among the union's options. */
export interface FormErrors {
  errors: readonly z.core.$ZodIssue[];
  index: number;
}

/** The schema inside any `.optional()`. */
export function unwrap(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional) current = current.unwrap();
  return current;
}

/** True when a union's option failed on the value's very type: the user did not mean that form. */
function rejectsOutright(issues: readonly z.core.$ZodIssue[]): boolean {
  return issues.some((i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value"));
}

/** The keys an object schema requires. */
function requiredKeys(schema: Schema | undefined): string[] {
  const current = unwrap(schema);
  if (!(current instanceof z.ZodObject)) return [];
  return Object.entries(current.shape)
    .filter(([, field]) => !(field instanceof z.ZodOptional))
    .map(([key]) => key);
}

/** True when a map lacks every key an object form requires: `{ layout: x }` is not `{ image }` with a typo. */
function lacksEveryRequiredKey(issues: readonly z.core.$ZodIssue[], schema: Schema | undefined): boolean {
  const required = requiredKeys(schema);
  const missing = new Set(
    issues.flatMap((i) =>
      i.code === "invalid_type" && i.input === undefined && i.path.length === 1 ? [String(i.path[0])] : [],
    ),
  );
  return required.length > 0 && required.every((key) => missing.has(key));
}

/** The union's forms the user may have meant; of several object forms, those whose keys they wrote. */
export function meantForms(issue: z.core.$ZodIssueInvalidUnion, union: Schema | undefined): FormErrors[] {
  const meant = issue.errors.flatMap((errors, index) => (rejectsOutright(errors) ? [] : [{ errors, index }]));
  if (meant.length <= 1 || !(union instanceof z.ZodUnion)) return meant;
  const options = union.options as readonly Schema[];
  const narrowed = meant.filter(({ errors, index }) => !lacksEveryRequiredKey(errors, options[index]));
  return narrowed.length === 1 ? narrowed : meant;
}

/** Keys that every form the user may have meant rejects: the typo that made each form fail. */
export function strayKeys(meant: readonly FormErrors[]): string[] {
  const unknownIn = meant.map(
    ({ errors }) =>
      new Set(errors.flatMap((i) => (i.code === "unrecognized_keys" && i.path.length === 0 ? i.keys : []))),
  );
  const [first, ...rest] = unknownIn;
  return first ? [...first].filter((key) => rest.every((keys) => keys.has(key))) : [];
}

/** The map forms of a union, for a message: `{ layout, ref } or { image, insecure, ca }`. */
export function objectForms(schema: Schema | undefined): string {
  const current = unwrap(schema);
  const options = current instanceof z.ZodUnion ? (current.options as readonly Schema[]) : [current];
  return options
    .flatMap((o) => (o instanceof z.ZodObject ? [`{ ${Object.keys(o.shape).join(", ")} }`] : []))
    .join(" or ");
}
