/** The byte order of paths, used wherever dray lists files for a key or a layer. */
/**
 * Orders strings as their UTF-8 bytes compare (the order of tar entries and of keys). JS `<` compares
 * UTF-16 units, which puts astral characters (surrogates, U+D800–DFFF) before U+E000–FFFF; UTF-8 and
 * code points put them after. Comparing units with that one range moved gives the byte order without
 * encoding every string.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitWeight(x) - unitWeight(y);
  }
  return a.length - b.length;
}

function unitWeight(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
