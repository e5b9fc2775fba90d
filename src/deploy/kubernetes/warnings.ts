/**
 * The API server's warnings (https://kubernetes.io/blog/2020/09/03/warnings/): `Warning` headers
 * of the form `299 - "text"` on any answer — a deprecated API, a pod that would violate the
 * namespace's Pod Security `warn` level. dray shows each distinct one once per run.
 */

/** The texts of every warning in `values` (each a Warning header, possibly several joined by commas). */
export function parseWarnings(values: readonly string[]): string[] {
  const texts: string[] = [];
  // warn-code SP warn-agent SP quoted-string [SP quoted date] (RFC 7234 section 5.5).
  const warning = /(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g;
  for (const value of values) {
    for (const match of value.matchAll(warning)) texts.push(match[3]!.replace(/\\(.)/g, "$1"));
  }
  return texts;
}

/** A sink that passes on each distinct warning text once. */
export function onceEach(
  show: (text: string, request: string) => void,
): (text: string, request: string) => void {
  const seen = new Set<string>();
  return (text, request) => {
    if (seen.has(text)) return;
    seen.add(text);
    show(text, request);
  };
}
