/** `dray graph` output: a table for people, JSON for machines, Graphviz DOT for pictures. */

import type { GoGraph } from "../fingerprint/index.js";
import { compareCodeUnits } from "../oci/index.js";
import { formatPercent, renderTable } from "../report/index.js";
import { Color, type OutputStyle, paint } from "../terminal/index.js";
import type { ModuleRadius, PackageRadius } from "./blast-radius.js";

/** How many service names a text row lists before "+N more". */
const NAMES_SHOWN = 3;

/** Everything `dray graph --json` prints. */
export interface GraphReport {
  /** The platform listed, or null when each service was listed for its first platform. */
  platform: string | null;
  /** Every service in the graph, sorted. */
  services: readonly string[];
  packages: readonly PackageRadius[];
  modules: readonly ModuleRadius[];
}

/**
 * A table of PACKAGE (its directory), SERVICES ("3/5"), SHARE and the first few service names, most
 * used first, under a legend; `modules` adds a second table for external modules when given.
 */
export function renderGraphText(
  radius: readonly PackageRadius[],
  totalServices: number,
  style: OutputStyle,
  modules: readonly ModuleRadius[] = [],
): string {
  const legend = paint(
    style,
    Color.dim,
    `blast radius across ${totalServices} Go service${totalServices === 1 ? "" : "s"}:` +
      " a change to a package near the top rebuilds and redeploys the most services",
  );
  const lines = [legend];
  if (radius.length === 0) lines.push("no shared project packages: every service is only its main package");
  else
    lines.push(
      renderTable(
        ["PACKAGE", "SERVICES", "SHARE", "USED BY"],
        radius.map((row) => radiusRow(displayDir(row), row, totalServices, style)),
        [1, 2],
      ),
    );
  if (modules.length > 0) {
    lines.push(
      "",
      renderTable(
        ["MODULE", "SERVICES", "SHARE", "USED BY"],
        modules.map((row) => radiusRow(row.module, row, totalServices, style)),
        [1, 2],
      ),
    );
  }
  return lines.join("\n");
}

/** The report as indented JSON (no trailing newline). */
export function renderGraphJson(report: GraphReport): string {
  return JSON.stringify(
    {
      platform: report.platform,
      services: report.services,
      packages: report.packages.map((row) => ({ ...row, share: round(row.share) })),
      modules: report.modules.map((row) => ({ ...row, share: round(row.share) })),
    },
    null,
    2,
  );
}

/**
 * Graphviz DOT: one box per service with an edge to every project package in its closure (direct or
 * not — the graph keeps closures, not import edges, and "what does this service pull in" is the
 * question), and one ellipse per package labelled with its service count. Only packages in `radius`
 * are drawn, so standard library and modules stay out and the picture stays readable.
 * Nodes and edges come in a fixed order, so the same graph gives the same file.
 * https://graphviz.org/doc/info/lang.html
 */
export function renderGraphDot(graph: GoGraph, radius: readonly PackageRadius[]): string {
  const drawn = new Map(radius.map((row) => [row.importPath, row]));
  const services = [...graph.closures.keys()].sort(compareCodeUnits);
  const lines = ["digraph dray {", "  rankdir=LR;", '  node [fontname="Helvetica"];', "  // services"];
  for (const service of services) {
    lines.push(`  ${serviceId(service)} [label=${quote(service)}, shape=box, style=bold];`);
  }
  lines.push("  // project packages, most used first");
  for (const row of radius) {
    const label = quoteLines([displayDir(row), `${row.count} service${row.count === 1 ? "" : "s"}`]);
    lines.push(`  ${packageId(row.importPath)} [label=${label}, shape=ellipse];`);
  }
  lines.push("  // service -> every project package it is built from");
  for (const service of services) {
    const closure = [...new Set(graph.closures.get(service) ?? [])]
      .filter((p) => drawn.has(p))
      .sort(compareCodeUnits);
    for (const importPath of closure) lines.push(`  ${serviceId(service)} -> ${packageId(importPath)};`);
  }
  lines.push("}");
  return lines.join("\n");
}

function radiusRow(
  name: string,
  row: { services: readonly string[]; count: number; share: number },
  total: number,
  style: OutputStyle,
): string[] {
  const shown = row.services.slice(0, NAMES_SHOWN).join(", ");
  const more = row.services.length - NAMES_SHOWN;
  // Half the fleet or more is where a change stops being local: make it stand out.
  const share = formatPercent(row.share);
  return [
    name,
    `${row.count}/${total}`,
    row.share >= 0.5 ? paint(style, Color.yellow, share) : share,
    more > 0 ? `${shown} ${paint(style, Color.dim, `+${more} more`)}` : shown,
  ];
}

/** Directory is what people edit and is shorter than the import path; the root package has none. */
function displayDir(row: PackageRadius): string {
  return row.dir === undefined || row.dir === "" || row.dir === "." ? row.importPath : row.dir;
}

function round(share: number): number {
  return Math.round(share * 10_000) / 10_000;
}

// Prefixes keep a service and a package of the same name apart.
function serviceId(name: string): string {
  return quote(`service:${name}`);
}

function packageId(importPath: string): string {
  return quote(`package:${importPath}`);
}

/** A DOT quoted string: only `"` is special to the lexer; backslashes are doubled since labels read escapes. */
function quote(text: string): string {
  return `"${escapeDot(text)}"`;
}

/** A quoted label of several lines, joined with DOT's centred line break. */
function quoteLines(lines: readonly string[]): string {
  return `"${lines.map(escapeDot).join("\\n")}"`;
}

function escapeDot(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
}
