"""Hybrid logical clock (Kulkarni et al.), as Actual Budget uses for per-field changes.

A stamp is a fixed-width string ``<wall ms: 12 hex><counter: 4 hex><node: 16 hex>`` so
that plain string comparison orders stamps by (wall time, counter, device) — the same
order on every device and in any database, with no parsing. The node part is a hash of
the device id: two devices never tie, so concurrent edits of one field resolve the same
way everywhere.

Hand-written because no maintained Python HLC library matches this string form.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.clock import wall_ms

WALL_HEX = 12
COUNTER_HEX = 4
NODE_HEX = 16
STAMP_LEN = WALL_HEX + COUNTER_HEX + NODE_HEX
MAX_COUNTER = 16**COUNTER_HEX - 1
# A device whose clock differs from the siège by more than this is warned.
SKEW_WARNING_MS = 2 * 60 * 1000
# The siège clamps stamps further than this into its future.
MAX_FUTURE_MS = 5 * 60 * 1000
ZERO = "0" * STAMP_LEN


def node_of(device_id: str) -> str:
    return hashlib.sha256(device_id.encode("utf-8")).hexdigest()[:NODE_HEX]


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.wall_ms:0{WALL_HEX}x}{self.counter:0{COUNTER_HEX}x}{self.node}"


def parse(stamp: str) -> Stamp:
    """Parse a stamp; raises ValueError for anything that is not one."""
    if len(stamp) != STAMP_LEN or any(ch not in "0123456789abcdef" for ch in stamp):
        raise ValueError("not an HLC stamp")
    return Stamp(
        int(stamp[:WALL_HEX], 16),
        int(stamp[WALL_HEX : WALL_HEX + COUNTER_HEX], 16),
        stamp[WALL_HEX + COUNTER_HEX :],
    )


def is_stamp(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse(value)
    except ValueError:
        return False
    return True


def wall_now_ms() -> int:
    return wall_ms()


def estimate_offset(server_ms: int, sent_ms: int, received_ms: int) -> int:
    """How far this laptop's clock is behind the siège's, from one handshake: the siège
    read its clock (``server_ms``) somewhere between the request leaving (``sent_ms``)
    and its answer arriving (``received_ms``). The midpoint's error is up to half the
    round trip; an estimate within that error cannot tell the clocks apart, and
    "correcting" by it would only reorder edits by network noise (two laptops with
    agreeing clocks stamping at random by tens of ms on a slow link): it counts as 0."""
    half_trip = -((sent_ms - received_ms) // 2)  # rounded up: the midpoint is rounded down
    offset = server_ms - (sent_ms + received_ms) // 2
    return 0 if abs(offset) <= half_trip else offset


def clamp_future(stamp: str, now_ms: int) -> str:
    """The siège bounds stamps from the future: a wall part beyond now + MAX_FUTURE is
    pulled back, keeping counter and node so the device order is kept."""
    parsed = parse(stamp)
    limit = now_ms + MAX_FUTURE_MS
    if parsed.wall_ms <= limit:
        return stamp
    return Stamp(limit, parsed.counter, parsed.node).encode()


class HybridClock:
    """Issues monotonic stamps for one device. ``offset_ms`` corrects a laptop clock
    known (from the last handshake) to be off, so its stamps stay near the siège's."""

    def __init__(
        self,
        device_id: str,
        last: str = ZERO,
        *,
        offset_ms: int = 0,
        physical: Callable[[], int] = wall_now_ms,
    ) -> None:
        self.node = node_of(device_id)
        self._last = parse(last) if last != ZERO else Stamp(0, 0, self.node)
        self.offset_ms = offset_ms
        self._physical = physical
        self._lock = threading.Lock()

    @property
    def last(self) -> str:
        return self._last.encode()

    def now(self) -> str:
        with self._lock:
            pt = self._physical() + self.offset_ms
            last = self._last
            if pt > last.wall_ms:
                nxt = Stamp(pt, 0, self.node)
            elif last.counter < MAX_COUNTER:
                nxt = Stamp(last.wall_ms, last.counter + 1, self.node)
            else:
                # Counter exhausted within one millisecond: borrow the next millisecond.
                nxt = Stamp(last.wall_ms + 1, 0, self.node)
            self._last = nxt
            return nxt.encode()

    def observe(self, remote: str) -> None:
        """Merge a stamp seen from elsewhere so later local stamps sort after it."""
        try:
            other = parse(remote)
        except ValueError:
            return
        with self._lock:
            if (other.wall_ms, other.counter) > (self._last.wall_ms, self._last.counter):
                self._last = Stamp(other.wall_ms, other.counter, self.node)
