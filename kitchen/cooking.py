"""Cooking a planned meal: the one transaction that turns stock into servings.

`cook_meal` takes every ingredient out of the pantry (from the meal's holds
first, then first expiring first, or from a lot the cook picked, or a substitute
item), puts leftovers back as a new lot of prepared meals with a short use-by,
and records servings made and people fed — all of it, or, on any refusal,
nothing at all. Leftovers start on hold until their cooling record passes
(kitchen.cooling).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.dates import day, long_day
from commonpot.errors import DomainError
from commonpot.models import Site
from commonpot.numbers import is_zero
from kitchen import cooling
from kitchen.availability import meal_needs
from kitchen.models import MealService, planned_dietary_mask
from kitchen.services import ensure_planned, lock_meal, whole_servings
from pantry import catalog
from pantry import services as pantry
from pantry.codes import ALLERGEN_BITS, DIETARY_BITS, codes_in
from pantry.freshness import DateRules
from pantry.models import Item, Lot, PantrySettings, Reservation, StockMove, Storage
from pantry.services import LineErrors, NotEnoughStock
from pantry.units import UnitError, display, to_base

if TYPE_CHECKING:
    from commonpot.models import User

COOKED = StockMove.Kind.COOKED
# How long cooked leftovers may be kept, and the date offered by default.
LEFTOVER_MAX_DAYS = {Storage.CHILLED: 3, Storage.FROZEN: 90}
LEFTOVER_DEFAULT_DAYS = {Storage.CHILLED: 2, Storage.FROZEN: 30}


@dataclass(frozen=True)
class CookLine:
    """What the cook used for one ingredient.

    `quantity` in `unit` (blank or 0: not used at all); `substitute` when another
    item was used instead; `lot` when the cook took it from one lot (of the item
    used) rather than first expiring first.
    """

    item: Item
    quantity: Decimal | str | None
    unit: str = ""
    lot: Lot | None = None
    substitute: Item | None = None

    @property
    def used_item(self) -> Item:
        return self.substitute or self.item


@dataclass(frozen=True)
class Shortfall:
    item: Item
    needed: Decimal
    available: Decimal

    def describe(self) -> str:
        # Translators: "Rice: need 5 kg, 2 kg available".
        return _("%(item)s: need %(needed)s, %(available)s available") % {
            "item": self.item.name,
            "needed": display(self.needed, self.item),
            "available": display(max(self.available, Decimal(0)), self.item),
        }


class ShortOfStock(DomainError):
    """The site has less than the cook says was used; `short` lists each item."""

    def __init__(self, short: list[Shortfall]):
        self.short = short
        super().__init__(
            _(
                "Not enough stock to record this. %(short)s. Enter what was really used, "
                "pick a substitute, or cook fewer servings."
            )
            % {"short": "; ".join(s.describe() for s in short)}
        )


def base_unit_word(item: Item) -> str:
    """The unit to type for a quantity already in the item's base unit."""
    if item.base_unit == Item.Unit.PIECE:
        return item.piece_name or "piece"
    return item.base_unit


def default_lines(meal: MealService, servings: int) -> list[CookLine]:
    """The recipe, scaled to the servings made, first expiring first."""
    return [
        CookLine(item=item, quantity=quantity, unit=base_unit_word(item))
        for item, quantity in meal_needs(meal, servings)
    ]


def leftover_storage(site: Site) -> str | None:
    """Where cooked leftovers can be kept: in the cold, or not at all."""
    stores = PantrySettings.for_site(site)
    if stores.has_chilled_storage:
        return Storage.CHILLED
    if stores.has_frozen_storage:
        return Storage.FROZEN
    return None


def default_use_by(site: Site, today: date | None = None) -> date | None:
    storage = leftover_storage(site)
    if storage is None:
        return None
    return (today or site.today()) + timedelta(days=LEFTOVER_DEFAULT_DAYS[storage])


def _is_empty(quantity) -> bool:
    return quantity is None or not str(quantity).strip() or is_zero(quantity)


@dataclass(frozen=True)
class _Use:
    line: CookLine
    item: Item
    quantity: Decimal


def _convert(lines: list[CookLine], site: Site) -> list[_Use]:
    errors: list[tuple[int, str | None, str]] = []
    uses = []
    for i, line in enumerate(lines):
        if _is_empty(line.quantity):
            continue
        item = line.used_item
        if line.lot is not None and line.lot.item_id != item.pk:
            # Translators: a "lot" is a batch of food with one date.
            message = _("That lot holds %(held)s, not %(item)s.")
            errors.append((i, "lot", message % {"held": line.lot.item.name, "item": item.name}))
            continue
        if line.lot is not None and line.lot.site_id != site.pk:
            errors.append((i, "lot", _("That lot is not at %(site)s.") % {"site": site.name}))
            continue
        try:
            uses.append(_Use(line, item, to_base(line.quantity, line.unit, item)))
        except UnitError as e:
            # Translators: an ingredient and what is wrong with its quantity.
            message = _("%(item)s: %(error)s") % {"item": line.item.name, "error": e.message}
            errors.append((i, e.field, message))
    if errors:
        # Translators: followed by the line's number and what is wrong: "Ingredient 2: ...".
        raise LineErrors(errors, noun=_("Ingredient"))
    if not uses:
        raise DomainError(
            _("Nothing was taken from stock: give the quantity used of at least one ingredient.")
        )
    return uses


def _holds(meal: MealService):
    return (
        Reservation.objects.filter(reference=meal.reference, status=Reservation.Status.HELD)
        .select_related("lot__item")
        .order_by(F("lot__best_before").asc(nulls_last=True), "lot__received_on", "lot__pk")
    )


def _check_enough(meal: MealService, uses: list[_Use], today: date) -> None:
    """Say every shortfall at once, before taking anything (the takes re-check
    under lock: what this read misses, they refuse)."""
    rules = DateRules.for_site(meal.site, today)
    held_by_item: dict[int, Decimal] = defaultdict(Decimal)
    held_by_lot: dict[int, Decimal] = defaultdict(Decimal)
    for r in _holds(meal):
        if rules.may_use(r.lot):
            held_by_item[r.lot.item_id] += r.quantity
            held_by_lot[r.lot_id] += r.quantity
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    items: dict[int, Item] = {}
    short = []
    for use in uses:
        if use.line.lot is not None:
            lot = Lot.objects.select_related("item").get(pk=use.line.lot.pk)
            has = lot.available + held_by_lot[lot.pk] if rules.may_use(lot) else 0
            if use.quantity > has:
                short.append(Shortfall(use.item, use.quantity, Decimal(has)))
            continue
        wanted[use.item.pk] += use.quantity
        items[use.item.pk] = use.item
    for pk, quantity in wanted.items():
        has = pantry.available(meal.site, items[pk], today) + held_by_item[pk]
        if quantity > has:
            short.append(Shortfall(items[pk], quantity, has))
    if short:
        raise ShortOfStock(short)


def _take(meal: MealService, use: _Use, *, by: User | None, today: date, on: date) -> None:
    left = use.quantity
    holds = _holds(meal).filter(lot__item=use.item)
    if use.line.lot is not None:
        holds = holds.filter(lot=use.line.lot)
    # Translators: a ledger note on the ingredients a meal used: "Cooked: Chilli and rice".
    note = (_("Cooked: %(meal)s") % {"meal": meal.title})[:200]
    rules = DateRules.for_site(meal.site, today)
    for hold in holds:
        if left <= 0:
            break
        if not rules.may_use(hold.lot):
            continue  # released with the other unused holds below
        part = min(left, hold.quantity)
        pantry.take_reserved(
            hold,
            kind=COOKED,
            by=by,
            quantity=part,
            reference=meal.reference,
            note=note,
            today=today,
            on=on,
        )
        left -= part
    if left > 0:
        try:
            pantry.take_stock(
                site=meal.site,
                item=use.item,
                quantity=left,
                kind=COOKED,
                by=by,
                lot=use.line.lot,
                reference=meal.reference,
                note=note,
                today=today,
                on=on,
            )
        except NotEnoughStock as e:
            had = use.quantity - left + e.available
            raise ShortOfStock([Shortfall(use.item, use.quantity, had)]) from None


def _prepared_item(meal: MealService, *, allergens: int, dietary: int, portion_g, storage) -> Item:
    """The catalog item leftovers of this dish are kept as, made on first use.

    Its allergens only ever grow: a lot of it may hold an earlier cooking with
    another substitute, and a label that warns of too much is safe, one that
    warns of too little is not.

    Its name is found again by the next cooking of the dish, so it is the same
    whatever the language of the page that recorded it.
    """
    with translation.override(None):
        title = meal.title
    name = f"Prepared: {title}"[:120]
    item = Item.objects.filter(name__iexact=name).first()
    if item is not None and item.base_unit != Item.Unit.PIECE:
        name = f"Prepared: {title}"[:108] + " (portions)"
        item = Item.objects.filter(name__iexact=name).first()
    if item is None:
        fields = {
            "name": name,
            "category": Item.Category.PREPARED,
            "base_unit": Item.Unit.PIECE,
            "piece_name": "portion",
            "storage": storage,
            "allergens": codes_in(allergens, ALLERGEN_BITS),
            "dietary": codes_in(dietary, DIETARY_BITS),
        }
        if portion_g:
            fields["weight_per_piece_g"] = portion_g
        try:
            return catalog.add_item(**fields)
        except DomainError:
            # Made by another cook a moment ago: use theirs.
            item = Item.objects.filter(name__iexact=name).first()
            if item is None:
                raise
    if item.allergen_mask | allergens != item.allergen_mask or not item.is_active:
        item = catalog.update_item(
            item, allergens=codes_in(item.allergen_mask | allergens, ALLERGEN_BITS), is_active=True
        )
    return item


def _portion_weight(uses: list[_Use], servings: int) -> Decimal | None:
    total = Decimal(0)
    for use in uses:
        grams = use.item.weight_g(use.quantity)
        if grams is None:
            return None
        total += grams
    portion = (total / servings).quantize(Decimal("0.001"))
    return portion if portion > 0 else None


@transaction.atomic
def cook_meal(
    meal: MealService | int,
    *,
    servings_made: int,
    servings_served: int,
    leftover_servings: int = 0,
    by: User | None,
    use_by: date | None = None,
    lines: list[CookLine] | None = None,
    today: date | None = None,
    before_its_day: bool = False,
    off_heat_at: datetime | None = None,
) -> MealService:
    """Record a planned meal as cooked.

    `lines`: what was used for each ingredient (default: the recipes scaled to
    `servings_made`, first expiring first). Stock held for the meal is used first;
    holds left over go back to the pantry. Leftovers become a new lot of prepared
    meals (one piece = one portion) with a use-by date. Refusals: the meal is not
    planned (cooked twice, cancelled), a meal dated after today unless
    `before_its_day` (the lead confirmed cooking it early), bad numbers, a quantity
    that cannot convert (LineErrors), or not enough stock (ShortOfStock lists every
    item). `off_heat_at`: when the food came off the heat, if earlier than now (the
    leftovers' cooling record is timed from it); later than now or more than a day
    ago is refused.
    """
    meal = lock_meal(meal)
    ensure_planned(meal)
    site = meal.site
    today = today or site.today()
    if meal.date > today and not before_its_day:
        raise DomainError(
            # Translators: %(box)s is the tick box "Cook it now, before its day".
            _(
                'This meal is planned for %(day)s, not today. Tick "%(box)s" to record it as '
                "cooked today."
            )
            % {"day": long_day(meal.date), "box": _("Cook it now, before its day")},
            field="before_its_day",
        )
    made = whole_servings(
        servings_made, field="servings_made", label=_("the number of servings made")
    )
    served = whole_servings(
        servings_served, field="servings_served", label=_("the number of people fed"), zero=True
    )
    kept = whole_servings(
        leftover_servings,
        field="leftover_servings",
        label=_("the number of leftover servings"),
        zero=True,
    )
    if served > made:
        raise DomainError(
            ngettext(
                "%(served)s people fed is more than the %(made)s serving made.",
                "%(served)s people fed is more than the %(made)s servings made.",
                made,
            )
            % {"served": served, "made": made},
            field="servings_served",
        )
    if kept > made - served:
        # Translators: "2 servings", the servings made.
        servings = ngettext("%(count)s serving", "%(count)s servings", made) % {"count": made}
        raise DomainError(
            ngettext(
                "Of %(servings)s, %(served)s was served: at most %(left)s can be kept.",
                "Of %(servings)s, %(served)s were served: at most %(left)s can be kept.",
                served,
            )
            % {"servings": servings, "served": served, "left": made - served},
            field="leftover_servings",
        )
    storage = None
    if kept:
        storage = leftover_storage(site)
        if storage is None:
            raise DomainError(
                _("%(site)s has no chilled or frozen storage, so cooked leftovers cannot be kept.")
                % {"site": site.name},
                field="leftover_servings",
            )
        use_by = use_by or default_use_by(site, today)
        longest = LEFTOVER_MAX_DAYS[storage]
        if use_by < today or use_by > today + timedelta(days=longest):
            # Translators: %(storage)s is "chilled" or "frozen".
            message = ngettext(
                "Cooked food kept %(storage)s is used within %(days)s day: give a use-by date "
                "from %(first)s to %(last)s.",
                "Cooked food kept %(storage)s is used within %(days)s days: give a use-by date "
                "from %(first)s to %(last)s.",
                longest,
            )
            raise DomainError(
                message
                % {
                    "storage": str(Storage(storage).label).lower(),
                    "days": longest,
                    "first": day(today),
                    "last": day(today + timedelta(days=longest)),
                },
                field="use_by",
            )

    if off_heat_at is not None:
        cooling.check_off_heat(site, off_heat_at, timezone.now())

    meal = MealService.objects.with_dishes().select_related("site").get(pk=meal.pk)
    uses = _convert(lines if lines is not None else default_lines(meal, made), site)
    _check_enough(meal, uses, today)
    # The food was used on the meal's day, however late the cooking is recorded
    # (a meal marked cooked ahead of its date: the day it was recorded).
    cooked_on = min(meal.date, site.today())
    for use in uses:
        _take(meal, use, by=by, today=today, on=cooked_on)
    pantry.release_reservations(meal.reference)

    allergens = 0
    for use in uses:
        allergens |= use.item.allergen_mask
    dietary = planned_dietary_mask(meal.recipes.all())
    meal.cooked_at = timezone.now()
    meal.off_heat_at = off_heat_at
    if kept:
        item = _prepared_item(
            meal,
            allergens=allergens,
            dietary=dietary,
            portion_g=_portion_weight(uses, made),
            storage=storage,
        )
        move = pantry.receive(
            site=site,
            item=item,
            quantity=Decimal(kept),
            by=by,
            # Translators: where a lot of leftovers came from: "Cooked at Harbour Kitchen: Dal".
            source=(_("Cooked at %(site)s: %(meal)s") % {"site": site.name, "meal": meal.title})[
                :200
            ],
            best_before=use_by,
            date_kind=Lot.DateKind.USE_BY,
            storage=storage,
            kind=COOKED,
            received_on=today,
            on=cooked_on,
            reference=meal.reference,
            note=(_("Leftovers of %(meal)s") % {"meal": meal})[:200],
        )
        meal.leftover_lot = move.lot
        # Held until they are measured cooling in time (kitchen.cooling): from the
        # moment they exist, so nothing can hand them out before anyone checked.
        cooling.hold_leftovers(meal, move.lot, by=by)
    meal.status = MealService.Status.COOKED
    meal.cooked_by = by
    meal.servings_made = made
    meal.servings_served = served
    meal.leftover_servings = kept
    meal.cooked_allergen_mask = allergens
    meal.cooked_dietary_mask = dietary
    meal.save(
        update_fields=[
            "status",
            "cooked_at",
            "off_heat_at",
            "cooked_by",
            "servings_made",
            "servings_served",
            "leftover_servings",
            "leftover_lot",
            "cooked_allergen_mask",
            "cooked_dietary_mask",
        ]
    )
    return meal
