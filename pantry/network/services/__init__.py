"""Every write of the network: offers, needs, claims and the steps of a transfer.

Each function is one transaction that locks what it changes, records who and
when, and raises a DomainError a person can read (nothing is written then).
Stock changes only through pantry.services: an offer or a claimed/accepted
transfer holds its food with reserve_stock; dispatch takes the holds out as
TRANSFER_OUT moves into TransferLine rows (food on the road); receipt puts each
line into a new lot at the destination (TRANSFER_IN) and records any short or
damaged part as waste there; cancelling after dispatch puts each line back into
a new lot at the source (TRANSFER_IN). So across the network, stock on hand
plus stock in transit changes only by what is received, cooked, given out or
wasted.

Lock order, always: transfer row, then offer row, then lots (the pantry locks
lots in key order). A claim locks the offer first and makes a new transfer,
which nobody else can see until it commits.
"""

from pantry import services as pantry  # noqa: F401 (tests patch pantry's functions through it)
from pantry.network.services.common import grams, on_commit
from pantry.network.services.needs import (
    close_need,
    post_need,
)
from pantry.network.services.offers import (
    claim_offer,
    close_lapsed,
    post_offer,
    withdraw_offer,
)
from pantry.network.services.shipments import Line, propose_shipment
from pantry.network.services.transfers import (
    accept_transfer,
    cancel_transfer,
    dispatch_transfer,
    propose_transfer,
    receive_transfer,
)

__all__ = [
    "grams",
    "on_commit",
    "post_offer",
    "withdraw_offer",
    "close_lapsed",
    "claim_offer",
    "post_need",
    "close_need",
    "propose_transfer",
    "propose_shipment",
    "Line",
    "accept_transfer",
    "dispatch_transfer",
    "receive_transfer",
    "cancel_transfer",
]
