/** The Airlock guest SDK for JavaScript and TypeScript plugins. */

/** Formats console-style arguments into one line: strings as they are, the rest inspected. */
export function format(...args: unknown[]): string;

/** A logger shaped like `console`; each call is one line in the host's log, tagged with the plugin. */
export interface Logger {
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  /** The same as `info`. */
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}
export const log: Logger;

/** Reports progress of the current call: `fraction` in 0..1 (the host clamps it). */
export function progress(fraction: number, message?: string): void;

/** True once the host has asked the current call to stop early. */
export function isCancelled(): boolean;

/** The error `throwIfCancelled` throws. */
export class Cancelled extends Error {
  constructor();
}

/** Throws `Cancelled` if the host has asked the current call to stop. */
export function throwIfCancelled(): void;
