/** Options shared by every `dray` command, parsed once by the CLI entry. */

/** Flags every command accepts. */
export interface GlobalOptions {
  /** Directory to start looking for dray.yaml from. */
  dir: string;
  config?: string;
  /** `--trace <file>`: write a Chrome trace of every recorded step there (see report/finish.ts). */
  trace?: string;
  /** `--summary` / `--no-summary`; undefined lets the command decide (see report/finish.ts). */
  summary?: boolean;
}
