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

/**
 * Ctrl-C while services are being replaced (deploy, promote, rollback). Quitting in the middle of a
 * replacement can leave a service stopped, so the first SIGINT only stops new work, the second warns,
 * and it takes a third to quit at once (exit 130).
 */
export function listenForReplaceInterrupt(write: (text: string) => void): Interruption {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts >= 3) process.exit(130);
    write(
      interrupts === 1
        ? "\ninterrupted: finishing the services already in hand (each ends on its old or new version), starting nothing new\n"
        : "\nstill finishing the services in hand; Ctrl-C once more quits at once and may leave one of them stopped\n",
    );
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSignal) };
}
