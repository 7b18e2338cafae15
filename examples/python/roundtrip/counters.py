"""The exported resource of `airlock:test/counters`.

componentize-py looks an exported interface's resources up in a top-level
module named after the interface (here `counters`), class by class.
"""

from typing import Self

import airlock_guest
from wit_world.exports import counters

#: Counters alive in the instance: made and not yet dropped.
live = 0
#: Dropping a counter whose value is this traps (0: never).
poison = 0


class Counter(counters.Counter):
    def __init__(self, start: int) -> None:
        global live
        live += 1
        self.value = start

    def add(self, n: int) -> int:
        self.value = (self.value + n) & 0xFFFF_FFFF
        return self.value

    def get(self) -> int:
        return self.value

    def fork(self) -> Self:
        return Counter(self.value)

    def __del__(self) -> None:
        # Runs when the host drops its handle. An exception raised here would
        # be printed and ignored by Python, so a poisoned drop aborts instead.
        global live
        live -= 1
        if poison != 0 and self.value == poison:
            airlock_guest.abort(f"poisoned counter {poison} dropped")
