"""What a hold says: why a lot is on hold, in the words every refusal and page uses.

The writes (starting, releasing and discarding holds) are pantry.services.holds.

A hold whose reason lives to the pantry's right (a cooling record is the
kitchen's) is put in words by the app that knows it: it adds a describer for its
cause to the registry (`registry.add_lot_hold_describer`, from its
AppConfig.ready), which says, for a list of holds, what each is waiting for now,
with a fixed number of queries however many there are.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from commonpot.dates import day, time_of_day
from commonpot.registry import registry
from pantry import temperatures
from pantry.models import LotHold

if TYPE_CHECKING:
    from pantry.models import Lot


def cause_texts(holds: list[LotHold]) -> dict[int, str]:
    """Each hold's cause in words, by hold id (one query per describer used)."""
    describers = registry.lot_hold_describers
    by_cause: dict[str, list[LotHold]] = defaultdict(list)
    for hold in holds:
        if hold.cause in describers:
            by_cause[hold.cause].append(hold)
    texts: dict[int, str] = {}
    for cause, group in by_cause.items():
        texts.update(describers[cause](group))
    return {hold.pk: texts.get(hold.pk) or _own_text(hold) for hold in holds}


def cause_text(hold: LotHold) -> str:
    """ "Fridge 1 read 9.0 °C on Thu 3 Dec at 10:15", or the hold's own note."""
    return cause_texts([hold])[hold.pk]


def _own_text(hold: LotHold) -> str:
    if hold.reading is not None:
        reading = hold.reading
        site = hold.lot.site
        at = site.local(reading.at)
        shown = temperatures.show(reading.value_c)
        if reading.equipment is None:
            # Food on the road: the note says which transfer, and when it was read.
            return _("%(where)s: read %(value)s (limit %(limit)s) on %(day)s at %(time)s") % {
                "where": hold.note or _("Food in transit"),
                "value": shown,
                "limit": temperatures.show(reading.limit_c),
                "day": day(at),
                "time": time_of_day(at),
            }
        return _("%(unit)s read %(value)s on %(day)s at %(time)s") % {
            "unit": reading.equipment.name,
            "value": shown,
            "day": day(at),
            "time": time_of_day(at),
        }
    if hold.cause == LotHold.Cause.RECALL and hold.note:
        return hold.note  # "Recall #3: Chopped tomatoes 400 g, lot L2345"
    words = hold.get_cause_display().lower()
    if not hold.note:
        return words
    return _("%(cause)s: %(note)s") % {"cause": words, "note": hold.note}


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
    texts = cause_texts(holds)
    causes = "; ".join(texts[h.pk] for h in holds) or _("held by a lead")
    return _(
        "This lot of %(item)s is on hold: %(causes)s. A lead releases it or "
        "discards it on the site's Holds page."
    ) % {"item": lot.item.name, "causes": causes}
