"""The pantry's writes: every operation that changes how much food a site holds.

One module per family of actions, all in this package's namespace so callers
write `services.receive(...)`:

- `ledger`: the stock ledger itself: receive, take (first expiring first),
  discard, hold and release for meals and transfers, counts, undo, and the reads
  other apps use;
- `donations`: donors, donations received with their lines, and spreadsheet imports;
- `distributions`: food given out to households or a partner.

Each function runs in one transaction, locks the lots it changes (in primary-key
order, so that two operations never wait on each other in a circle), writes the
StockMove that explains each change and updates the lot's cached `on_hand` and
`reserved` in the same transaction. A refusal raises a DomainError whose message
can be shown to a person as it is; nothing is written then. Other apps (kitchen,
network) call these functions and never write Lot, StockMove or Reservation rows
themselves. See docs/pantry.md, "For other apps".
"""

from pantry.services.distributions import (
    OutLine,
    distribute,
)
from pantry.services.ledger import (
    IN_KINDS,
    OUT_KINDS,
    UNDO_WINDOW,
    Kind,
    LineErrors,
    NotEnoughStock,
    Taken,
    available,
    discard,
    ledger_is_consistent,
    receive,
    record_count,
    release_reservation,
    release_reservations,
    reserve_stock,
    reverse_move,
    take_reserved,
    take_stock,
)

__all__ = [
    "IN_KINDS",
    "Kind",
    "LineErrors",
    "NotEnoughStock",
    "OUT_KINDS",
    "Taken",
    "UNDO_WINDOW",
    "available",
    "discard",
    "ledger_is_consistent",
    "receive",
    "record_count",
    "release_reservation",
    "release_reservations",
    "reserve_stock",
    "reverse_move",
    "take_reserved",
    "take_stock",
    "OutLine",
    "distribute",
]
