/** Terminal capabilities: colour and live redraws only on a real terminal, never in CI. */

/** How output should look on a stream. */
export interface OutputStyle {
  /** A live, redrawn display is allowed. */
  readonly interactive: boolean;
  readonly color: boolean;
}

/** Decide from the stream and the environment (CI, NO_COLOR, FORCE_COLOR, TERM=dumb). */
export function outputStyle(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): OutputStyle {
  const ci = Boolean(env["CI"]) && env["CI"] !== "false";
  const tty = Boolean(stream.isTTY) && env["TERM"] !== "dumb";
  const interactive = tty && !ci;
  const color = env["NO_COLOR"] ? false : env["FORCE_COLOR"] ? true : tty;
  return { interactive, color };
}

/** Wrap text in an SGR colour when colour is on. */
export function paint(style: OutputStyle, code: number, text: string): string {
  return style.color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export const Color = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  dim: 2,
  bold: 1,
} as const;
