"""The exported resource of `airlock:test/counters`.

componentize-py looks an exported interface's resources up in a top-level
module named after the interface (here `counters`), class by class.
"""

from typing import Self

from wit_world.exports import counters

#: Counters alive in the instance: made and not yet dropped.
live = 0
#: The value whose counter traps when dropped (0: never). Recorded only:
#: componentize-py 0.25.1 never tells Python that the host dropped a handle.
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
        # Would run when the host drops its handle, but componentize-py 0.25.1
        # keeps every exported object until the instance ends (its resource
        # destructor does nothing): py_guest.rs shows `live` never falls.
        global live
        live -= 1
