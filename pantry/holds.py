"""What a hold says: why a lot is on hold, in the words every refusal and page uses.

The writes (starting, releasing and discarding holds) are pantry.services.holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonpot.dates import day, time_of_day
from pantry import temperatures
from pantry.models import LotHold

if TYPE_CHECKING:
    from pantry.models import Lot


def cause_text(hold: LotHold) -> str:
    """ "Fridge 1 read 9.0 °C on Thu 3 Dec at 10:15", or the hold's own note."""
    if hold.reading is not None:
        reading = hold.reading
        site = hold.lot.site
        at = site.local(reading.at)
        return (
            f"{reading.equipment.name} read {temperatures.show(reading.value_c)} "
            f"on {day(at)} at {time_of_day(at)}"
        )
    if hold.cause == LotHold.Cause.RECALL and hold.note:
        return hold.note  # "Recall #3: Chopped tomatoes 400 g, lot L2345"
    words = hold.get_cause_display().lower()
    return f"{words}: {hold.note}" if hold.note else words


def open_holds(lot: Lot) -> list[LotHold]:
    return list(
        lot.holds.open()
        .select_related("reading__equipment", "lot__site")
        .order_by("started_at", "pk")
    )


def why_held(lot: Lot) -> str:
    """Why nothing but waste may take from this lot ("" when it is not on hold)."""
    if not lot.on_hold:
        return ""
    holds = open_holds(lot)
    causes = "; ".join(cause_text(h) for h in holds) or "held by a lead"
    return (
        f"This lot of {lot.item.name} is on hold: {causes}. A lead releases it or "
        "discards it on the site's Holds page."
    )
