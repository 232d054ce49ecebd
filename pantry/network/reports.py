"""The network's part of the reports: surplus offered, food moved between sites, and
what arrived short or damaged, by weight (kilograms, or pounds in US measures).

Transfers count where and when they were received (the destination's day);
offers where and when they were posted. Both are recorded as they happen, so
the time they were recorded is the time they happened.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.numbers import grouped
from commonpot.reports import (
    GRAM,
    Period,
    Section,
    Table,
    figure_text,
    plain,
    share_weights,
    weight,
)
from pantry.network.models import Offer, Transfer, TransferLine

ZERO = Decimal(0)


def network_section(period: Period) -> Section | None:
    offers = list(
        Offer.objects.filter(period.q(site_field="site", time_field="posted_at")).select_related(
            "item"
        )
    )
    lines = list(
        TransferLine.objects.filter(
            period.q(site_field="transfer__destination", time_field="transfer__received_at"),
            transfer__status=Transfer.Status.RECEIVED,
        ).select_related("transfer__source", "transfer__destination")
    )
    if not offers and not lines:
        return None
    offered = sum((o.item.weight_g(o.quantity) or ZERO for o in offers), ZERO)
    unclaimed = sum(
        1 for o in offers if o.status == Offer.Status.EXPIRED and o.remaining == o.quantity
    )
    moved = sum((line.weight_g or ZERO for line in lines), ZERO)
    short = sum(
        (
            (line.weight_g * line.shortfall / line.quantity).quantize(GRAM)
            for line in lines
            if line.weight_g
        ),
        ZERO,
    )
    routes: dict[tuple[str, str], list] = defaultdict(lambda: [set(), ZERO])
    for line in lines:
        route = routes[(line.transfer.source.name, line.transfer.destination.name)]
        route[0].add(line.transfer_id)
        route[1] += line.weight_g or ZERO
    # The routes add up to "Moved between sites" as shown.
    weights = share_weights({key: grams for key, (_ids, grams) in routes.items()})
    shown = {key: figure for key, _grams, figure in weights.rows}
    unit = weights.unit
    transfers = len({line.transfer_id for line in lines})
    rows = [
        (source, destination, len(ids), figure_text(shown[(source, destination)]))
        for (source, destination), (ids, _grams) in sorted(routes.items())
    ]
    csv_rows = [
        (source, destination, len(ids), unit.csv_figure(grams), plain(grams))
        for (source, destination), (ids, grams) in sorted(routes.items())
    ]
    return Section(
        key="network",
        title=_("Surplus and transfers"),
        figures=[
            (
                _("Surplus offered"),
                ngettext(
                    "%(weight)s in %(count)s offer", "%(weight)s in %(count)s offers", len(offers)
                )
                % {"weight": weight(offered), "count": grouped(len(offers))},
            ),
            (_("Offers that closed unclaimed"), grouped(unclaimed)),
            (_("Transfers received"), grouped(transfers)),
            (_("Moved between sites"), weight(moved, weights.step)),
            (_("Short or damaged on arrival"), weight(short)),
        ],
        tables=[
            Table(
                "transfers-by-route",
                _("Transfers received, by route"),
                [_("From"), _("To"), _("Transfers"), unit.symbol],
                rows,
                numeric={2, 3},
                total=[_("Total"), "", grouped(transfers), figure_text(weights.total_shown)]
                if rows
                else None,
                csv_columns=["From", "To", "Transfers", unit.symbol, "grams"],
                csv_rows=[
                    *csv_rows,
                    ("Total", "", transfers, unit.csv_figure(moved), plain(moved)),
                ],
            )
        ],
    )
