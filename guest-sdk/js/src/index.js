// The Airlock guest SDK for JavaScript and TypeScript plugins: a `console`-like
// logger, progress reports and cooperative cancellation over the
// `airlock:plugin` imports every Airlock world includes.
//
// Plugins import it as `airlock-guest`; the build bundles it into the plugin
// (the `airlock:plugin/*` imports stay imports of the component).
import { log as hostLog } from 'airlock:plugin/log@0.1.0';
import { report } from 'airlock:plugin/progress@0.1.0';
import { isCancelled as hostIsCancelled } from 'airlock:plugin/cancel@0.1.0';

/** Formats console-style arguments into one line: strings as they are, the rest inspected. */
export function format(...args) {
  return args.map(show).join(' ');
}

function show(value) {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ? `${value}\n${value.stack}` : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return String(value);
  }
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    return String(value);
  }
}

/** A logger shaped like `console`; each call is one line in the host's log, tagged with the plugin. */
export const log = {
  trace: (...args) => hostLog('trace', format(...args)),
  debug: (...args) => hostLog('debug', format(...args)),
  info: (...args) => hostLog('info', format(...args)),
  log: (...args) => hostLog('info', format(...args)),
  warn: (...args) => hostLog('warn', format(...args)),
  error: (...args) => hostLog('error', format(...args)),
};

/** Reports progress of the current call: `fraction` in 0..1 (the host clamps it). */
export function progress(fraction, message = '') {
  report(Number(fraction), String(message));
}

/** True once the host has asked the current call to stop early. */
export function isCancelled() {
  return hostIsCancelled();
}

/** The error `throwIfCancelled` throws; its message says the host asked to stop. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled by the host');
    this.name = 'Cancelled';
  }
}

/** Throws `Cancelled` if the host has asked the current call to stop. */
export function throwIfCancelled() {
  if (hostIsCancelled()) throw new Cancelled();
}
