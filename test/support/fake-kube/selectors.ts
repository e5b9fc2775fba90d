/**
 * TEST FAKE support: label selectors (equality-based: `a=b`, `a==b`, `a!=b`, `a` for exists) and
 * field selectors (`involvedObject.name=api`, `metadata.name!=x`), comma-separated terms ANDed.
 */
import type { FakeObject } from "./controller.js";

export function matchesLabels(object: FakeObject, selector: string): boolean {
  const labels = (object.metadata["labels"] ?? {}) as Record<string, string>;
  return terms(selector).every(({ key, op, value }) => {
    if (op === undefined) return key in labels;
    return op === "!=" ? labels[key] !== value : labels[key] === value;
  });
}

export function matchesFields(object: FakeObject, selector: string): boolean {
  return terms(selector).every(({ key, op, value }) => {
    let current: unknown = object;
    for (const part of key.split(".")) current = (current as Record<string, unknown> | undefined)?.[part];
    const actual = current === undefined ? "" : String(current);
    return op === "!=" ? actual !== value : actual === value;
  });
}

function terms(selector: string): { key: string; op: string | undefined; value: string }[] {
  return selector
    .split(",")
    .filter((term) => term.trim() !== "")
    .map((term) => {
      const [, key = "", op, value = ""] = /^([^!=]+)(!=|==|=)?(.*)$/.exec(term.trim()) ?? [];
      return { key: key.trim(), op, value: value.trim() };
    });
}
