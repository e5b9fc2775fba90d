/**
 * Ctrl-C as a request to stop cleanly. The first SIGINT aborts the signal handed to the
 * command, which stops starting work, lets what is in hand end, removes its scratch files and moves no
 * tag; a second one ends the process at once, by the signal's own default action.
 */

/** The signal a command watches, and how to stop listening when it is done. */
export interface Interruption {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Listens for SIGINT until `dispose`; `notice` is told once, when the first arrives. */
export function listenForInterrupt(notice: (text: string) => void): Interruption {
  const controller = new AbortController();
  const dispose = () => {
    process.off("SIGINT", onSignal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    if (controller.signal.aborted) {
      // Asked twice: stop listening and let the signal do what it does to a process by default.
      dispose();
      process.kill(process.pid, signal);
      return;
    }
    notice(
      "interrupted: stopping — letting the steps in hand end and tagging nothing (Ctrl-C again quits at once)",
    );
    controller.abort();
  }
  process.on("SIGINT", onSignal);
  return { signal: controller.signal, dispose };
}
