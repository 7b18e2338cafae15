// Test guest for `airlock:test/roundtrip` written in JavaScript: echoes every
// value type, calls host imports, holds host resources, exports its own,
// throws, spins, chatters and waits for cancellation on request. The host's
// tests are host/testkit/tests/all/js_guest.rs.
import { log, progress, isCancelled } from 'airlock-guest';
import { double, concat, bounce, note, Tally, tallies } from 'airlock:test/host-calls@0.1.0';

// Every echo hands the value back as the bindings gave it: what the test
// checks is that each type survives both conversions.
export const values = {
  echoEverything: (e) => e,
  echoBytes: (b) => b,
  echoString: (s) => s,
  echoShape: (s) => s,
  echoPerms: (p) => p,
  echoMood: (m) => m,
  echoTuple: (t) => t,
};

let liveCounters = 0;
let poisonValue = 0;

/** A counter the guest implements; the host holds handles to it. */
class Counter {
  #value;
  constructor(start) {
    this.#value = start;
    liveCounters += 1;
  }
  add(n) {
    this.#value = (this.#value + n) >>> 0;
    return this.#value;
  }
  get() {
    return this.#value;
  }
  fork() {
    return new Counter(this.#value);
  }
  // Called by the bindings when the last handle is dropped.
  [Symbol.dispose]() {
    liveCounters -= 1;
    if (poisonValue !== 0 && this.#value === poisonValue) {
      throw new Error(`poisoned counter ${poisonValue} dropped`);
    }
  }
}

export const counters = {
  Counter,
  make: (n) => Array.from({ length: n }, (_, i) => new Counter(i)),
  consume: (c) => c.get(),
  consumeAll: (cs) => cs.reduce((sum, c) => sum + c.get(), 0),
  peek: (c) => c.get(),
  live: () => liveCounters,
  poison: (value) => {
    poisonValue = value;
  },
};

export function add(a, b) {
  return (a + b) >>> 0;
}

export function noop() {}

export function nested(depth, x) {
  let acc = x;
  for (let i = 0; i < depth; i++) acc = double(acc);
  return acc;
}

export function bounceViaHost(e) {
  const back = bounce(e);
  back.text = concat([back.text, '+guest']);
  note('bounced');
  return back;
}

export function panicWith(message) {
  throw new Error(message);
}

export function spin() {
  let x = 0;
  for (;;) x = (x + 1) | 0;
}

let calls = 0;
export function count() {
  calls += 1;
  return calls;
}

export function chatter(lines) {
  for (let i = 0; i < lines; i++) {
    console.log(`stdout line ${i}`);
    console.error(`stderr line ${i}`);
    log.info(`log line ${i}`);
  }
}

export function waitForCancel(maxPolls) {
  for (let i = 0n; i < maxPolls; i++) {
    if (isCancelled()) return true;
  }
  return false;
}

export function reportProgress(steps) {
  for (let i = 1; i <= steps; i++) progress(i / steps, `step ${i}`);
}

export function say(text) {
  console.log(text);
  console.error(text);
  log.info(text);
  progress(0.5, text);
}

export function tallyUp(n) {
  const held = Array.from({ length: n }, (_, i) => new Tally(i));
  for (const t of held) t.add(1);
  held.push(...tallies(2));
  const sum = held.reduce((s, t) => s + t.total(), 0);
  // JS has no destructors: handles are given back explicitly.
  for (const t of held) t[Symbol.dispose]();
  return sum;
}
