"""airlock:test/roundtrip in Python: the test guest for Airlock's Python support.

It mirrors examples/plugins/test-roundtrip (the Rust guest) export for
export, so host/testkit/tests/all/py_guest.rs can check the same things
through a real runner.
"""

import logging
import sys
from typing import List, Optional, Tuple

import airlock_guest
import wit_world
from wit_world import exports
from wit_world.imports import host_calls, values

import counters

airlock_guest.install_logging(logging.DEBUG)
log = logging.getLogger("roundtrip")

_count = 0


class WitWorld(wit_world.WitWorld):
    def add(self, a: int, b: int) -> int:
        return (a + b) & 0xFFFF_FFFF  # u32 wraps, like the Rust guest

    def noop(self) -> None:
        pass

    def nested(self, depth: int, x: int) -> int:
        for _ in range(depth):
            x = host_calls.double(x)
        return x

    def bounce_via_host(self, e: values.Everything) -> values.Everything:
        back = host_calls.bounce(e)
        back.text = host_calls.concat([back.text, "+guest"])
        host_calls.note("bounced")
        return back

    def panic_with(self, message: str) -> None:
        raise RuntimeError(message)

    def spin(self) -> None:
        x = 0
        while True:
            x += 1

    def count(self) -> int:
        global _count
        _count += 1
        return _count

    def chatter(self, lines: int) -> None:
        for i in range(lines):
            print(f"stdout line {i}")
            print(f"stderr line {i}", file=sys.stderr)
            log.info("log line %d", i)

    def wait_for_cancel(self, max_polls: int) -> bool:
        for _ in range(max_polls):
            if airlock_guest.is_cancelled():
                return True
        return False

    def report_progress(self, steps: int) -> None:
        for i in range(1, steps + 1):
            airlock_guest.progress(i / steps, f"step {i}")

    def say(self, text: str) -> None:
        print(text)
        print(text, file=sys.stderr)
        log.info("%s", text)
        airlock_guest.progress(0.5, text)

    def tally_up(self, count: int) -> int:
        held = [host_calls.Tally(i) for i in range(count)]
        for tally in held:
            tally.add(1)
        held.extend(host_calls.tallies(2))
        total = sum(t.total() for t in held)
        # Drop every handle now rather than whenever the garbage collector runs.
        for tally in held:
            tally.__exit__(None, None, None)
        return total


class Values(exports.Values):
    def echo_everything(self, e: values.Everything) -> values.Everything:
        return e

    def echo_bytes(self, b: bytes) -> bytes:
        return b

    def echo_string(self, s: str) -> str:
        return s

    def echo_shape(self, s: values.Shape) -> values.Shape:
        return s

    def echo_perms(self, p: values.Perms) -> values.Perms:
        return p

    def echo_mood(self, m: values.Mood) -> values.Mood:
        return m

    def echo_tuple(self, t: Tuple[int, str, Optional[str]]) -> Tuple[int, str, Optional[str]]:
        return t


class Counters(exports.Counters):
    def make(self, n: int) -> List[counters.Counter]:
        return [counters.Counter(i) for i in range(n)]

    def consume(self, c: counters.Counter) -> int:
        return c.get()

    def consume_all(self, cs: List[counters.Counter]) -> int:
        return sum(c.get() for c in cs)

    def peek(self, c: counters.Counter) -> int:
        return c.get()

    def live(self) -> int:
        return counters.live

    def poison(self, value: int) -> None:
        counters.poison = value
