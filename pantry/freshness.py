"""What a lot's date allows today: one answer for every page, service and report.

A lot's date is either *best before* (quality) or *use by* (safety):

- no date, or the date is today or later: **fresh**;
- past its use-by date: **past use-by**, and it can only be discarded;
- past its best-before date by no more than the days the site allows for that
  kind of food (PantrySettings.bb_*; lots kept frozen use the frozen allowance):
  **past best before**, and it can still be given out, cooked, held, offered and
  moved, flagged wherever it is shown or printed;
- past best before by more than that: **past the limit**. Nothing picks it any
  more and it no longer counts as free; the Waste page suggests discarding it.
  Nothing is thrown away by itself: the lead discards it, or raises the limit.

A lot **on hold** (a fridge read too warm, later a recall: pantry.services.holds)
may not be used whatever its date says. `may_use`, `usable_q` and `refusal`
answer for the hold too, so every path that asks whether a lot may be given out,
cooked, held, offered or moved refuses a held lot with the same words; only
`date_allows_q` (what the date alone allows) leaves holds aside, for the figures
that show held food apart from food past its date.

So "free" means, on every page, API and report: on hand minus held, over the lots
whose date allows use today and that are not on hold (DateRules.may_use /
DateRules.usable_q).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.dates import day
from pantry.models import (
    BEST_BEFORE_DEFAULTS,
    DateKind,
    Item,
    PantrySettings,
    Storage,
    date_text,
)

if TYPE_CHECKING:
    from commonpot.models import Site
    from pantry.models import Lot

FROZEN = "frozen"


class Freshness(enum.Enum):
    FRESH = "fresh"
    PAST_BEST_BEFORE = "past best before"
    PAST_LIMIT = "past the limit"
    PAST_USE_BY = "past use-by"

    @property
    def usable(self) -> bool:
        return self in (Freshness.FRESH, Freshness.PAST_BEST_BEFORE)


@dataclass(frozen=True)
class DateRules:
    """A site's date rules on one day."""

    today: date
    days: Mapping[str, int]  # days past best-before allowed, by category and "frozen"

    @classmethod
    def for_site(cls, site: Site, today: date | None = None) -> DateRules:
        settings = PantrySettings.for_site(site)
        return cls(today if today is not None else site.today(), settings.best_before_days)

    @classmethod
    def defaults(cls, today: date) -> DateRules:
        return cls(today, dict(BEST_BEFORE_DEFAULTS))

    # --- one lot ---------------------------------------------------------------

    def days_allowed(self, category: str, storage: str) -> int:
        key = FROZEN if storage == Storage.FROZEN else category
        return self.days.get(key, BEST_BEFORE_DEFAULTS.get(key, 0))

    def state(self, lot: Lot) -> Freshness:
        return self.state_of(lot.best_before, lot.date_kind, lot.item.category, lot.storage)

    def state_of(
        self, best_before: date | None, date_kind: str, category: str, storage: str
    ) -> Freshness:
        """The state of food with this date, of this kind of food, kept so (for what
        is not a lot: an offer, a line on its way)."""
        if best_before is None or best_before >= self.today:
            return Freshness.FRESH
        if date_kind == DateKind.USE_BY:
            return Freshness.PAST_USE_BY
        if (self.today - best_before).days <= self.days_allowed(category, storage):
            return Freshness.PAST_BEST_BEFORE
        return Freshness.PAST_LIMIT

    def may_use(self, lot: Lot) -> bool:
        return not lot.on_hold and self.state(lot).usable

    def last_day(self, lot: Lot) -> date | None:
        """The last day the lot may be used (None: no date)."""
        if lot.best_before is None:
            return None
        if lot.date_kind == DateKind.USE_BY:
            return lot.best_before
        return lot.best_before + timedelta(days=self.days_allowed(lot.item.category, lot.storage))

    def days_past(self, lot: Lot) -> int:
        if lot.best_before is None or lot.best_before >= self.today:
            return 0
        return (self.today - lot.best_before).days

    def flag(self, lot: Lot) -> str:
        """A few words for a lot that is not fresh ("" for one that is)."""
        state = self.state(lot)
        if state == Freshness.FRESH:
            return ""
        if state == Freshness.PAST_USE_BY:
            return _("past use-by: discard")
        late = self.days_past(lot)
        if state == Freshness.PAST_BEST_BEFORE:
            return ngettext(
                "%(count)s day past best before", "%(count)s days past best before", late
            ) % {"count": late}
        return ngettext(
            "%(count)s day past best before: suggested for waste",
            "%(count)s days past best before: suggested for waste",
            late,
        ) % {"count": late}

    def label(self, lot: Lot) -> str:
        """The lot's date as printed and shown in lists, flagged when it is not fresh:
        "best before Tue 1 Dec · 2 days past best before"."""
        if lot.best_before is None:
            return _("no date")
        text = date_text(lot.date_kind, day(lot.best_before))
        flag = self.flag(lot)
        return f"{text} · {flag}" if flag else text

    def refusal(self, lot: Lot) -> str:
        """Why this lot cannot be given out, cooked, held, offered or moved ("" if it can)."""
        if lot.on_hold:
            from pantry.holds import why_held

            return why_held(lot)
        state = self.state(lot)
        name = lot.item.name
        if state == Freshness.PAST_USE_BY:
            return _(
                "This lot of %(item)s passed its use-by date on %(day)s: it can only be discarded."
            ) % {"item": name, "day": day(lot.best_before)}
        if state == Freshness.PAST_LIMIT:
            allowed = self.days_allowed(lot.item.category, lot.storage)
            late = self.days_past(lot)
            return _(
                # Translators: %(days_past)s is "3 days" (its own message), so is %(allowed)s.
                "This lot of %(item)s is %(days_past)s past its best-before date (%(day)s), "
                "beyond the %(allowed)s this site allows for %(food)s: discard it, or raise "
                "that limit on the site's Settings page if the food is still good."
            ) % {
                "item": name,
                "days_past": _days(late),
                "day": day(lot.best_before),
                "allowed": _days(allowed),
                "food": _kind_of_food(lot),
            }
        return ""

    # --- many lots, in the database ----------------------------------------------

    def usable_q(self, prefix: str = "", category: str = "item__category") -> Q:
        """Lots that may be used today: not on hold, and their date allows it.
        `prefix` reaches the lot's fields from another model ("lots_here__");
        `category` names the path to its item's category."""
        return not_held_q(prefix) & self.date_allows_q(prefix, category)

    def date_allows_q(self, prefix: str = "", category: str = "item__category") -> Q:
        """Lots whose date allows use today, whether or not they are on hold."""
        no_date = Q(**{f"{prefix}best_before__isnull": True})
        not_yet = Q(**{f"{prefix}best_before__gte": self.today})
        best_before = Q(**{f"{prefix}date_kind": DateKind.BEST_BEFORE})
        frozen = Q(**{f"{prefix}storage": Storage.FROZEN})
        allowed = frozen & self._since(prefix, self.days.get(FROZEN, 0))
        # Categories allowed the same number of days share one condition.
        by_days: dict[int, list[str]] = defaultdict(list)
        for value in Item.Category.values:
            by_days[self.days_allowed(value, "")].append(value)
        for days, categories in sorted(by_days.items()):
            allowed |= ~frozen & Q(**{f"{category}__in": categories}) & self._since(prefix, days)
        return no_date | not_yet | (best_before & allowed)

    def _since(self, prefix: str, days: int) -> Q:
        return Q(**{f"{prefix}best_before__gte": self.today - timedelta(days=days)})


def not_held_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}on_hold": False})


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def _kind_of_food(lot: Lot) -> str:
    if lot.storage == Storage.FROZEN:
        return _("food kept frozen")
    return lot.item.get_category_display().lower()


@dataclass(frozen=True)
class SitesDateRules:
    """The date rules of several sites (or all), read in one query, for filters that
    span them (a week of meals, the coordinator's overview). Sites with the same
    limits share one condition, so the SQL stays small whatever the number of sites;
    sites that kept the defaults share the last one."""

    groups: Mapping[tuple[tuple[str, int], ...], tuple[int, ...]]  # limits -> site ids

    @classmethod
    def load(cls, site_ids: set[int] | None = None) -> SitesDateRules:
        rows = PantrySettings.objects.all()
        if site_ids is not None:
            rows = rows.filter(site_id__in=site_ids)
        defaults = tuple(sorted(BEST_BEFORE_DEFAULTS.items()))
        groups: dict[tuple[tuple[str, int], ...], list[int]] = defaultdict(list)
        for row in rows.order_by("site_id"):
            days = tuple(sorted(row.best_before_days.items()))
            if days != defaults:
                groups[days].append(row.site_id)
        return cls({days: tuple(ids) for days, ids in groups.items()})

    def on(self, site_id: int, today: date) -> DateRules:
        for days, ids in self.groups.items():
            if site_id in ids:
                return DateRules(today, dict(days))
        return DateRules.defaults(today)

    def usable_q(self, today: date, prefix: str = "", category: str = "item__category") -> Q:
        """Lots, at any site, not on hold and whose date allows use on `today`."""
        return not_held_q(prefix) & self.date_allows_q(today, prefix, category)

    def date_allows_q(self, today: date, prefix: str = "", category: str = "item__category") -> Q:
        """Lots, at any site, whose date allows use on `today` (held or not)."""
        site = f"{prefix}site_id__in"
        condition = DateRules.defaults(today).date_allows_q(prefix, category)
        custom = [site_id for ids in self.groups.values() for site_id in ids]
        if not custom:
            return condition
        condition &= ~Q(**{site: custom})
        for days, ids in self.groups.items():
            rules = DateRules(today, dict(days))
            condition |= Q(**{site: ids}) & rules.date_allows_q(prefix, category)
        return condition
