/**
 * Building the page's elements. Text goes in through textContent only, never as markup, so a log
 * line or a compiler message can never become an element, let alone a script.
 */

/** What `el` and `svg` accept as an attribute value; `null` and `undefined` leave the attribute out. */
type AttributeValue = string | number | boolean | null | undefined;

/** Attributes of a new element, plus `text` (its textContent) and `className`. */
export type Props = Readonly<Record<string, AttributeValue>>;

/** A new HTML element with `props` and `children`. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: readonly (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = String(value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

const svgNs = "http://www.w3.org/2000/svg";

/** A new SVG element with `attrs` and, when given, `text` as its content. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number>>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The page's element with `id`, checked to be a `type`; the page's markup is fixed, so a miss is a bug. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`dashboard page has no ${type.name} #${id}`);
  return node;
}

/** The steps the page has a colour for; any other step is drawn as "other". */
export const knownSteps: readonly string[] = [
  "detect",
  "compile",
  "copy",
  "swap",
  "restart",
  "ready",
  "build",
  "deploy",
];

/** The class that colours a step of an update. */
export const stepClass = (name: string): string => "step-" + (knownSteps.includes(name) ? name : "other");

/** A duration for people: "1,071 ms". */
export const ms = (value: number): string => Math.round(value).toLocaleString("en") + " ms";

/** A time of day in the reader's locale, 24-hour. */
export const clock = (at: number): string => new Date(at).toLocaleTimeString([], { hour12: false });

/** The first 12 hex digits of an image ID, or a dash when there is none. */
export const shortId = (id: string | undefined): string =>
  id ? id.replace(/^sha256:/, "").slice(0, 12) : "—";
