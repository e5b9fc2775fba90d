/** Aligned text tables for terminal output. */

/** Render rows under a header, columns padded to the widest cell; `right` lists right-aligned columns. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const widths = header.map((cell, i) =>
    Math.max(visibleLength(cell), ...rows.map((row) => visibleLength(row[i] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = " ".repeat(widths[i]! - visibleLength(cell));
        return right.includes(i) ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function visibleLength(text: string): number {
  // Colour escapes take no room on screen.
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}
