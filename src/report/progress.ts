/**
 * Build progress: a live block of one line per service on a terminal, plain lines otherwise
 * (CI logs should read top to bottom without escape codes).
 */

import { Color, type OutputStyle, paint } from "../terminal/index.js";
import { formatMs } from "./format.js";

/** Receives state changes; `finish` clears any live display. */
export interface Progress {
  update(service: string, platform: string, state: string): void;
  finish(): void;
}

/** Pick the live or the plain progress for a stream. */
export function createProgress(
  stream: NodeJS.WriteStream,
  style: OutputStyle,
  services: readonly string[],
  now: () => number = () => performance.now(),
): Progress {
  return style.interactive ? liveProgress(stream, style, services, now) : plainProgress(stream, now);
}

function plainProgress(stream: NodeJS.WriteStream, now: () => number): Progress {
  const start = now();
  return {
    update(service, platform, state) {
      // Only the outcome lines: step-by-step lines for 100 services would drown a CI log.
      if (state === "done" || state === "failed") {
        stream.write(`[${formatMs(now() - start)}] ${service}${platform ? ` ${platform}` : ""}: ${state}\n`);
      }
    },
    finish() {},
  };
}

function liveProgress(
  stream: NodeJS.WriteStream,
  style: OutputStyle,
  services: readonly string[],
  now: () => number,
): Progress {
  const start = now();
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  const states = new Map(services.map((s) => [s, "waiting"]));
  const width = Math.max(...services.map((s) => s.length), 4);
  let drawn = 0;
  let tick = 0;
  let finished = false;
  const draw = () => {
    const lines = [...states].map(([service, state]) => {
      const mark =
        state === "done"
          ? paint(style, Color.green, "✓")
          : state === "failed"
            ? paint(style, Color.red, "✗")
            : paint(style, Color.cyan, frames[tick % frames.length]!);
      return `${mark} ${service.padEnd(width)}  ${paint(style, Color.dim, state)}`;
    });
    lines.push(paint(style, Color.dim, `  ${formatMs(now() - start)}`));
    stream.write(`${drawn > 0 ? `\x1b[${drawn}A` : ""}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    drawn = lines.length;
    tick++;
  };
  const timer = setInterval(draw, 80);
  timer.unref();
  draw();
  return {
    update(service, platform, state) {
      states.set(
        service,
        platform && state !== "done" && state !== "failed" ? `${state} ${platform}` : state,
      );
    },
    finish() {
      // Idempotent: a command may finish the display early (before pushing) and again on its way out.
      if (finished) return;
      finished = true;
      clearInterval(timer);
      draw();
    },
  };
}
