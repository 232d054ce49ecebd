"""The food: the item catalog, lots and the stock ledger, and the papers around them
(donors and donations, distributions, counts, thresholds).

Stock is a ledger. A Lot's `on_hand` and `reserved` are caches of its moves and
reservations, changed only by pantry.services under a row lock, in the same
transaction as the StockMove that explains the change. Check constraints keep
`0 <= reserved <= on_hand` in the database itself, so no code path (and no race)
can leave stock negative or promise more than is on the shelf.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from commonpot.dates import day
from commonpot.idempotency import Tokened
from commonpot.models import Site
from commonpot.numbers import MAX_INT, fits_columns
from commonpot.quickurls import quick_reverse
from pantry.codes import (
    ALLERGEN_BITS,
    ALLERGEN_WORDS,
    DIETARY_BITS,
    DIETARY_WORDS,
    allergen_mask,
    codes_in,
    dietary_mask,
    gtin_variants,
    validate_gtin,
    words_for,
)

if TYPE_CHECKING:
    from pantry.freshness import DateRules

QTY = {"max_digits": 14, "decimal_places": 3}
POSITIVE = [MinValueValidator(Decimal("0.001"))]


def recorded_by() -> models.ForeignKey:
    """Who did it: kept when their account is erased (the person is then unnamed)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class Storage(models.TextChoices):
    DRY = "dry", gettext_lazy("Dry")
    CHILLED = "chilled", gettext_lazy("Chilled")
    FROZEN = "frozen", gettext_lazy("Frozen")


class DateKind(models.TextChoices):
    """Best before is a quality date, use by a safety date."""

    BEST_BEFORE = "best_before", gettext_lazy("Best before")
    USE_BY = "use_by", gettext_lazy("Use by")


def date_text(kind: str, shown: str) -> str:
    """A date with its kind, as lists and labels write it: "best before Tue 1 Dec",
    "use by Tue 1 Dec" (`shown`: the date as written)."""
    if kind == DateKind.USE_BY:
        return _("use by %(day)s") % {"day": shown}
    return _("best before %(day)s") % {"day": shown}


class PaperSize(models.TextChoices):
    A4 = "A4", gettext_lazy("A4")
    LETTER = "letter", gettext_lazy("US Letter")


class LabelSheet(models.TextChoices):
    """Standard sheets of sticky labels (pantry.label_sheets has their geometry)."""

    FROM_PAPER = "", gettext_lazy("As the paper: 21 a sheet on A4, 30 on US Letter")
    A4_21 = "a4-21", gettext_lazy("A4, 21 labels of 63.5 × 38.1 mm (3 × 7, as Avery L7160)")
    A4_14 = "a4-14", gettext_lazy("A4, 14 labels of 99.1 × 38.1 mm (2 × 7, as Avery L7163)")
    LETTER_30 = (
        "letter-30",
        gettext_lazy("US Letter, 30 labels of 2⅝ × 1 in (3 × 10, as Avery 5160)"),
    )
    LETTER_10 = "letter-10", gettext_lazy("US Letter, 10 labels of 4 × 2 in (2 × 5, as Avery 5163)")


class Measures(models.TextChoices):
    METRIC = "metric", gettext_lazy("Metric (kg, g, L, ml)")
    US = "us", gettext_lazy("US customary (lb, oz, gal, fl oz)")


# How many days past its best-before date a lot may still be given out, cooked,
# offered or moved, by kind of food; past that it is suggested for waste. The
# defaults lean to the cautious end of published redistribution guidance (see
# docs/pantry.md, "Dates"); a site can change each one on its Settings page.
BEST_BEFORE_DAYS_MAX = 3650
BEST_BEFORE_DEFAULTS = {
    "produce": 2,
    "dairy_eggs": 3,
    "meat_fish": 0,
    "grains_bread": 3,
    "canned_dry": 365,
    "prepared": 0,
    "drinks": 90,
    "baby": 0,
    "hygiene": 365,
    "other": 30,
    "frozen": 90,
}


def _days_past(label, key: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        default=BEST_BEFORE_DEFAULTS[key],
        validators=[MaxValueValidator(BEST_BEFORE_DAYS_MAX)],
    )


# --- A site's stores --------------------------------------------------------


class PantrySettings(models.Model):
    """What a site can keep food in, and the paper its sheets print on.

    Sites without a row use the defaults. Everything that prints (receipts, count
    sheets, meal labels, manifests, shift sheets) reads the paper size from here.
    """

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="pantry_settings")
    has_dry_storage = models.BooleanField(gettext_lazy("dry storage"), default=True)
    has_chilled_storage = models.BooleanField(gettext_lazy("chilled storage"), default=False)
    has_frozen_storage = models.BooleanField(gettext_lazy("frozen storage"), default=False)
    paper_size = models.CharField(max_length=10, choices=PaperSize.choices, default=PaperSize.A4)
    label_sheet = models.CharField(
        gettext_lazy("label sheets"),
        max_length=10,
        choices=LabelSheet.choices,
        blank=True,
        default=LabelSheet.FROM_PAPER,
        help_text=gettext_lazy(
            "The sheets of sticky labels that meal and leftover labels print on."
        ),
    )
    measures = models.CharField(
        gettext_lazy("quantities in"),
        max_length=10,
        choices=Measures.choices,
        default=Measures.METRIC,
        help_text=gettext_lazy(
            "How the site's pages show and read weights and volumes. Stock is "
            "kept exactly in grams and millilitres either way."
        ),
    )
    bb_produce = _days_past(gettext_lazy("produce"), "produce")
    bb_dairy_eggs = _days_past(gettext_lazy("dairy and eggs"), "dairy_eggs")
    bb_meat_fish = _days_past(gettext_lazy("meat and fish"), "meat_fish")
    bb_grains_bread = _days_past(gettext_lazy("grains and bread"), "grains_bread")
    bb_canned_dry = _days_past(gettext_lazy("canned and dry goods"), "canned_dry")
    bb_prepared = _days_past(gettext_lazy("prepared meals"), "prepared")
    bb_drinks = _days_past(gettext_lazy("drinks"), "drinks")
    bb_baby = _days_past(gettext_lazy("baby food"), "baby")
    bb_hygiene = _days_past(gettext_lazy("hygiene"), "hygiene")
    bb_other = _days_past(pgettext_lazy("kind of food", "other"), "other")
    bb_frozen = _days_past(gettext_lazy("anything kept frozen"), "frozen")

    class Meta:
        verbose_name_plural = gettext_lazy("pantry settings")

    def __str__(self) -> str:
        return _("Stores at %(site)s") % {"site": self.site}

    @classmethod
    def for_site(cls, site: Site) -> PantrySettings:
        """The site's settings, or the defaults (unsaved) when it has none yet."""
        try:
            return site.pantry_settings
        except cls.DoesNotExist:
            return cls(site=site)

    @property
    def storage_areas(self) -> list[str]:
        areas = []
        if self.has_dry_storage:
            areas.append(Storage.DRY)
        if self.has_chilled_storage:
            areas.append(Storage.CHILLED)
        if self.has_frozen_storage:
            areas.append(Storage.FROZEN)
        return areas

    @property
    def letter(self) -> bool:
        return self.paper_size == PaperSize.LETTER

    @property
    def best_before_days(self) -> dict[str, int]:
        """Days past best-before allowed, by category (and "frozen")."""
        return {key: getattr(self, f"bb_{key}") for key in BEST_BEFORE_DEFAULTS}


# --- Catalog --------------------------------------------------------------


class ItemQuerySet(models.QuerySet):
    def active(self) -> ItemQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> ItemQuerySet:
        """Items whose name contains the text, or whose barcode is the text."""
        text = text.strip()
        if not text:
            return self.none()
        if text.isdigit() and len(text) >= 8:
            return self.filter(Q(gtin=text) | Q(name__icontains=text))
        return self.filter(name__icontains=text)

    def with_gtin(self, gtin: str) -> ItemQuerySet:
        """The item with this barcode, however many leading zeros either side wrote."""
        return self.filter(gtin__in=gtin_variants(gtin))

    def for_gtins(self, gtins) -> Item | None:
        """The item with the first of these barcodes the catalog knows (a scan may
        read two ways: an 8-digit code is an EAN-8 or a UPC-E), in one query."""
        variants = {v: rank for rank, g in enumerate(gtins) for v in gtin_variants(g)}
        found = list(self.filter(gtin__in=variants))
        return min(found, key=lambda item: variants[item.gtin], default=None)

    def stock_at(
        self, site: Site, storage: str = "", rules: DateRules | None = None
    ) -> ItemQuerySet:
        """Items held at a site (or with a low-stock level there), one row each, with
        on_hand_total, reserved_total, available_total (free: on hand minus held, of
        the lots whose date allows use and that are not on hold), past_total (on
        hand that may only be wasted), held_total (on hand in lots on hold: a
        fridge read too warm, a recall), lot_count, nearest (the date of the first
        usable lot to go) and threshold annotated.

        One grouped query over a filtered join: its cost follows the site's lots,
        and the number of queries does not grow with the number of rows.
        """
        from pantry.freshness import DateRules

        rules = rules or DateRules.for_site(site)
        condition = Q(lots__site=site, lots__on_hand__gt=0)
        if storage:
            condition &= Q(lots__storage=storage)
        zero = models.Value(Decimal(0), output_field=models.DecimalField(**QTY))
        # Only the items this site holds or watches go into the join: without this the
        # join starts from the whole catalog, and the page costs what the network's
        # catalog does (2,000 items: 15 ms of SQLite for a site with 1,000 lots).
        held_here = Lot.objects.filter(site=site, on_hand__gt=0)
        if storage:
            held_here = held_here.filter(storage=storage)
        watched_here = StockThreshold.objects.filter(site=site)
        candidates = Q(pk__in=held_here.values("item_id"))
        if not storage:
            candidates |= Q(pk__in=watched_here.values("item_id"))
        usable = rules.usable_q(prefix="lots_here__", category="category")
        on_hold = Q(lots_here__on_hold=True)
        date_past = ~rules.date_allows_q(prefix="lots_here__", category="category")
        qs = (
            self.filter(candidates)
            .annotate(
                lots_here=models.FilteredRelation("lots", condition=condition),
                level_here=models.FilteredRelation(
                    "thresholds", condition=Q(thresholds__site=site)
                ),
            )
            .annotate(
                on_hand_total=Coalesce(models.Sum("lots_here__on_hand"), zero),
                reserved_total=Coalesce(models.Sum("lots_here__reserved"), zero),
                available_total=Coalesce(
                    models.Sum(F("lots_here__on_hand") - F("lots_here__reserved"), filter=usable),
                    zero,
                ),
                past_total=Coalesce(
                    models.Sum("lots_here__on_hand", filter=date_past & ~on_hold), zero
                ),
                held_total=Coalesce(models.Sum("lots_here__on_hand", filter=on_hold), zero),
                lot_count=models.Count("lots_here"),
                nearest=models.Min("lots_here__best_before", filter=usable),
                threshold=models.Max("level_here__minimum"),
            )
        )
        held = Q(on_hand_total__gt=0)
        return qs.filter(held if storage else held | Q(threshold__isnull=False))

    def free_at(self, site: Site, item_ids: list[int]) -> dict[int, Decimal]:
        """What is free at `site` of each of these items that the site holds or
        watches, as `stock_at`'s available_total: for the item picker's dozen
        suggestions, a sum over the site's lots instead of stock_at's eight."""
        from pantry.freshness import DateRules

        zero = models.Value(Decimal(0), output_field=models.DecimalField(**QTY))
        usable = DateRules.for_site(site).usable_q()
        rows = (
            Lot.objects.filter(site=site, item__in=item_ids, on_hand__gt=0)
            .values("item_id")
            .annotate(free=Coalesce(models.Sum(F("on_hand") - F("reserved"), filter=usable), zero))
            .order_by()
        )
        free = {row["item_id"]: row["free"] for row in rows}
        watched = StockThreshold.objects.filter(site=site, item__in=item_ids)
        for item_id in watched.values_list("item_id", flat=True):
            free.setdefault(item_id, Decimal(0))
        return free

    def free_from(self, codes: list[str]) -> ItemQuerySet:
        """Items carrying none of these allergens."""
        mask = allergen_mask(codes)
        if not mask:
            return self
        return self.alias(_allergen_hit=F("allergen_mask").bitand(mask)).filter(_allergen_hit=0)


class Item(models.Model):
    """A kind of food or goods, shared by every site in the network."""

    class Category(models.TextChoices):
        PRODUCE = "produce", gettext_lazy("Produce")
        DAIRY_EGGS = "dairy_eggs", gettext_lazy("Dairy and eggs")
        MEAT_FISH = "meat_fish", gettext_lazy("Meat and fish")
        GRAINS_BREAD = "grains_bread", gettext_lazy("Grains and bread")
        CANNED_DRY = "canned_dry", gettext_lazy("Canned and dry goods")
        PREPARED = "prepared", gettext_lazy("Prepared meals")
        DRINKS = "drinks", gettext_lazy("Drinks")
        # Translators: a category of food: baby food and milk.
        BABY = "baby", gettext_lazy("Baby")
        HYGIENE = "hygiene", gettext_lazy("Hygiene")
        OTHER = "other", pgettext_lazy("category of food", "Other")

    class Unit(models.TextChoices):
        GRAM = "g", gettext_lazy("Weight (grams)")
        MILLILITRE = "ml", gettext_lazy("Volume (millilitres)")
        PIECE = "piece", gettext_lazy("Pieces (cans, jars, packs...)")

    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    base_unit = models.CharField(
        gettext_lazy("counted by"),
        max_length=10,
        choices=Unit.choices,
        help_text=gettext_lazy(
            "How stock of this item is kept. Cannot change once the item has stock."
        ),
    )
    piece_name = models.CharField(
        gettext_lazy("name of one piece"),
        max_length=30,
        default="piece",
        help_text=gettext_lazy("For items counted in pieces: can, jar, bag, pack..."),
    )
    weight_per_piece_g = models.DecimalField(
        gettext_lazy("weight of one piece (g)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=POSITIVE,
        help_text=gettext_lazy(
            "For items counted in pieces, so that their stock has a weight and can "
            "be logged in kg or lb."
        ),
    )
    grams_per_ml = models.DecimalField(
        gettext_lazy("grams per millilitre"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("1.000"),
        validators=POSITIVE,
        help_text=gettext_lazy(
            "For liquids: 1.000 for water and juice, about 1.030 for milk, 0.920 for oil."
        ),
    )
    storage = models.CharField(max_length=10, choices=Storage.choices, default=Storage.DRY)
    date_kind = models.CharField(
        gettext_lazy("kind of date on its label"),
        max_length=12,
        choices=DateKind.choices,
        default=DateKind.BEST_BEFORE,
        help_text=gettext_lazy(
            "Best before is about quality: such food can still be given out for a "
            "while after it. Use by is about safety: after it, the food is only wasted. "
            "Each lot can say otherwise."
        ),
    )
    allergen_mask = models.PositiveIntegerField(default=0)
    dietary_mask = models.PositiveIntegerField(default=0)
    gtin = models.CharField(
        gettext_lazy("barcode (GTIN)"),
        max_length=14,
        blank=True,
        validators=[validate_gtin],
        db_index=True,
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # The catalog, its search and the item picker read items in name order, a
        # page or a dozen at a time: an index in that order lets the database stop
        # there instead of sorting a catalog of thousands first.
        indexes = [models.Index(fields=["name"], name="item_name_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="item_name_unique_ci",
                violation_error_message=gettext_lazy(
                    "The catalog already has an item with this name."
                ),
            ),
            models.UniqueConstraint(
                fields=["gtin"],
                condition=~Q(gtin=""),
                name="item_gtin_unique",
                violation_error_message=gettext_lazy("Another item already has this barcode."),
            ),
            models.CheckConstraint(
                condition=Q(weight_per_piece_g__isnull=True) | Q(weight_per_piece_g__gt=0),
                name="item_weight_per_piece_positive",
            ),
            models.CheckConstraint(condition=Q(grams_per_ml__gt=0), name="item_density_positive"),
            *fits_columns("item", "weight_per_piece_g", max_digits=10, decimal_places=3),
            *fits_columns("item", "grams_per_ml", max_digits=6, decimal_places=3),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allergens(self) -> list[str]:
        return codes_in(self.allergen_mask, ALLERGEN_BITS)

    @allergens.setter
    def allergens(self, codes: list[str]) -> None:
        self.allergen_mask = allergen_mask(codes)

    @property
    def dietary(self) -> list[str]:
        return codes_in(self.dietary_mask, DIETARY_BITS)

    @dietary.setter
    def dietary(self, codes: list[str]) -> None:
        self.dietary_mask = dietary_mask(codes)

    @property
    def allergen_words(self) -> list[str]:
        """Its allergens as a person reads them in a list, in their language."""
        return words_for(self.allergens, ALLERGEN_WORDS)

    @property
    def dietary_words(self) -> list[str]:
        return words_for(self.dietary, DIETARY_WORDS)

    def weight_g(self, quantity: Decimal) -> Decimal | None:
        """The weight of a quantity in this item's base unit; None when unknowable."""
        if self.base_unit == self.Unit.GRAM:
            return quantity
        if self.base_unit == self.Unit.MILLILITRE:
            return (quantity * self.grams_per_ml).quantize(Decimal("0.001"))
        if self.weight_per_piece_g is None:
            return None
        return (quantity * self.weight_per_piece_g).quantize(Decimal("0.001"))


class StockFigure(models.Model):
    """What a site holds of a category, by weight: the sum over its lots in stock,
    kept by the ledger's single writer (pantry.stockfigures) in the same
    transaction as the move, so the network's dashboard reads a row per site and
    category instead of every lot in the network."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="stock_figures")
    category = models.CharField(max_length=20, choices=Item.Category.choices)
    # The weight of what is on hand, and of that what is on hold (grams).
    grams = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=3)
    held_grams = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=3)
    # Lots in stock of pieces of unknown weight: counted, not weighed.
    unweighed_lots = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "category"], name="stock_figure_site_category")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} · {self.category}: {self.grams} g"


# --- Lots and the ledger --------------------------------------------------


class LotQuerySet(models.QuerySet):
    def at(self, site: Site) -> LotQuerySet:
        return self.filter(site=site)

    def of(self, item: Item) -> LotQuerySet:
        return self.filter(item=item)

    def in_stock(self) -> LotQuerySet:
        return self.filter(on_hand__gt=0)

    def with_available(self) -> LotQuerySet:
        return self.filter(on_hand__gt=F("reserved"))

    def may_use(self, rules: DateRules) -> LotQuerySet:
        """Lots whose date allows use on the rules' day (pantry.freshness)."""
        return self.filter(rules.usable_q())

    def past_use(self, rules: DateRules) -> LotQuerySet:
        """Lots past use-by, or past best-before beyond the site's limit: waste only."""
        return self.exclude(rules.date_allows_q())

    def held(self) -> LotQuerySet:
        """Lots on hold (pantry.services.holds): nothing but waste takes from them."""
        return self.filter(on_hold=True)

    def expiring_within(self, today: date, days: int) -> LotQuerySet:
        """Lots whose date falls between today and `days` from now (not yet passed)."""
        return self.filter(best_before__gte=today, best_before__lte=today + timedelta(days=days))

    def usable(self, rules: DateRules) -> LotQuerySet:
        """Lots that can be taken on the rules' day: something free, date allows it."""
        return self.with_available().may_use(rules)

    def total_available(self) -> Decimal:
        """Sum of on-hand minus reserved over these lots, in the item's base unit."""
        total = self.aggregate(total=models.Sum(F("on_hand") - F("reserved")))["total"]
        # Quantized: SQLite sums decimals in floating point.
        return Decimal(total or 0).quantize(Decimal("0.001"))

    def first_expiring_first(self) -> LotQuerySet:
        # Undated lots (tins, soap) go last; among equal dates the oldest lot first.
        return self.order_by(F("best_before").asc(nulls_last=True), "received_on", "pk")


class Lot(models.Model):
    """One item at one site with one date and one source: what sits on a shelf."""

    DateKind = DateKind

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="lots")
    best_before = models.DateField(null=True, blank=True)
    date_kind = models.CharField(
        max_length=12, choices=DateKind.choices, default=DateKind.BEST_BEFORE
    )
    storage = models.CharField(gettext_lazy("storage area"), max_length=10, choices=Storage.choices)
    source = models.CharField(max_length=200, help_text=gettext_lazy("Where this food came from."))
    donor = models.ForeignKey(
        "Donor", on_delete=models.PROTECT, null=True, blank=True, related_name="lots"
    )
    received_on = models.DateField()
    # The maker's lot or batch code, as printed on the pack (GS1 AI 10): what a recall names.
    code = models.CharField(gettext_lazy("lot code"), max_length=60, blank=True)
    on_hand = models.DecimalField(default=Decimal(0), **QTY)
    reserved = models.DecimalField(default=Decimal(0), **QTY)
    stored_in = models.ForeignKey(
        "Equipment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lots",
        help_text=gettext_lazy("The fridge, freezer or hot-holding unit the lot is kept in."),
    )
    # True while the lot has an open LotHold: a cache kept by pantry.services.holds
    # in the same transaction as the hold, so that every take checks it on the row
    # it has locked anyway (DateRules.may_use) and lists filter on it for free.
    on_hold = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["best_before", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="lot_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="lot_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="lot_reserved_within_on_hand"
            ),
            *fits_columns("lot", "on_hand", "reserved", **QTY),
        ]
        indexes = [
            models.Index(fields=["site", "item", "best_before"], name="lot_site_item_date"),
            models.Index(fields=["site", "best_before"], name="lot_site_date"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} · {self.date_label}"

    def get_absolute_url(self) -> str:
        return quick_reverse("pantry:lot", self.site.slug, self.pk)

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def shareable_source(self) -> str:
        """Where the food came from, as other sites may read it: a person who gave
        food is named only to the site they gave it to."""
        donor = self.donor if self.donor_id else None
        if donor is not None and donor.kind == Donor.Kind.PERSON and donor.name:
            return self.source.replace(donor.name, _("a private donor"))
        return self.source

    @property
    def date_label(self) -> str:
        if self.best_before is None:
            return _("no date")
        return date_text(self.date_kind, day(self.best_before))


class StockMoveQuerySet(models.QuerySet):
    def at(self, site: Site) -> StockMoveQuerySet:
        return self.filter(lot__site=site)

    def delete(self):
        # The ledger is append-only; a mistake is corrected by a reversing move.
        raise TypeError("Stock moves are never deleted: record a reversing move instead.")


class StockMove(models.Model):
    """One change of one lot's quantity. Append-only: never edited, never deleted."""

    class Kind(models.TextChoices):
        RECEIVED = "received", gettext_lazy("Received")
        COOKED = "cooked", gettext_lazy("Cooked")
        DISTRIBUTED = "distributed", gettext_lazy("Distributed")
        WASTED = "wasted", gettext_lazy("Wasted")
        COUNTED = "counted", gettext_lazy("Counted")
        TRANSFER_OUT = "transfer_out", gettext_lazy("Transferred out")
        TRANSFER_IN = "transfer_in", gettext_lazy("Transferred in")
        REVERSED = "reversed", gettext_lazy("Reversed (undo)")

    class WasteReason(models.TextChoices):
        EXPIRED = "expired", gettext_lazy("Expired")
        SPOILED = "spoiled", gettext_lazy("Spoiled")
        DAMAGED = "damaged", gettext_lazy("Damaged")
        RECALLED = "recalled", gettext_lazy("Recalled")
        TEMPERATURE = "temperature", gettext_lazy("Temperature (cold chain broken)")

    class Destination(models.TextChoices):
        COMPOST = "compost", gettext_lazy("Compost")
        ANIMAL_FEED = "animal_feed", gettext_lazy("Animal feed")
        LANDFILL = "landfill", gettext_lazy("Landfill")
        OTHER = "other", pgettext_lazy("where wasted food goes", "Other")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    quantity = models.DecimalField(
        help_text=gettext_lazy("In the item's base unit; negative is out."), **QTY
    )
    weight_g = models.DecimalField(null=True, blank=True, **QTY)
    on_hand_after = models.DecimalField(**QTY)
    # Two times, because paper logs are typed up late: `at` is when the move was
    # recorded (the audit trail, the undo window); `happened_on` is the site's own
    # day the food was received, given, counted, wasted, cooked or moved, which
    # is the day reports count it on.
    at = models.DateTimeField(help_text=gettext_lazy("When this move was recorded."))
    happened_on = models.DateField(
        help_text=gettext_lazy(
            "The day it happened, by the site's own clock (what reports count by)."
        )
    )
    by = recorded_by()
    reason = models.CharField(max_length=12, choices=WasteReason.choices, blank=True)
    destination = models.CharField(max_length=12, choices=Destination.choices, blank=True)
    note = models.CharField(max_length=200, blank=True)
    reference = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text=gettext_lazy("What caused this move in another app, such as 'meal-service:12'."),
    )
    donation = models.ForeignKey(
        "Donation", on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    distribution = models.ForeignKey(
        "Distribution", on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    count = models.ForeignKey(
        "StockCount", on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    # The waste form's one-time token (`commonpot.idempotency`): a discard sent
    # twice (a double tap, a phone replaying its offline queue) records once.
    # Empty for every other move.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="move_quantity_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind__in=["received", "transfer_in"]) | Q(quantity__gt=0),
                name="move_in_is_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["distributed", "wasted", "transfer_out"])
                | Q(quantity__lt=0),
                name="move_out_is_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="wasted") | (~Q(reason="") & ~Q(destination="")),
                name="move_waste_has_reason_and_destination",
            ),
            models.CheckConstraint(
                condition=Q(kind="reversed", reverses__isnull=False)
                | (~Q(kind="reversed") & Q(reverses__isnull=True)),
                name="move_reversal_names_its_move",
            ),
            models.CheckConstraint(
                condition=Q(on_hand_after__gte=0), name="move_on_hand_after_not_negative"
            ),
            *fits_columns("move", "quantity", "weight_g", "on_hand_after", **QTY),
        ]
        indexes = [
            models.Index(fields=["lot", "at"], name="move_lot_at"),
            models.Index(fields=["happened_on"], name="move_happened_on"),
        ]

    def __str__(self) -> str:
        return _("%(kind)s %(quantity)s of lot %(lot)s") % {
            "kind": self.get_kind_display(),
            "quantity": self.quantity,
            "lot": self.lot_id,
        }

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Stock moves are never edited: record a reversing move instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Stock moves are never deleted: record a reversing move instead.")


class Reservation(models.Model):
    """Stock held on one lot for a planned meal or an accepted transfer.

    While held it counts in its lot's `reserved`, so nobody else can take it.
    """

    class Status(models.TextChoices):
        # Translators: stock reserved for a planned meal or a transfer.
        HELD = "held", gettext_lazy("Held")
        RELEASED = "released", pgettext_lazy("reservation", "Released")
        USED = "used", gettext_lazy("Used")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.DecimalField(validators=POSITIVE, **QTY)
    reference = models.CharField(max_length=100, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    by = recorded_by()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_positive"),
            *fits_columns("reservation", "quantity", **QTY),
        ]

    def __str__(self) -> str:
        return _("%(quantity)s of lot %(lot)s for %(use)s") % {
            "quantity": self.quantity,
            "lot": self.lot_id,
            "use": self.reference,
        }


# --- Donors and donations -------------------------------------------------


class Donor(models.Model):
    """Someone who gives food to a site; kept by that site to reuse on each intake."""

    class Kind(models.TextChoices):
        PERSON = "person", gettext_lazy("Person")
        SHOP = "shop", gettext_lazy("Shop or supermarket")
        FARM = "farm", gettext_lazy("Farm or grower")
        RESTAURANT = "restaurant", gettext_lazy("Restaurant or caterer")
        FOOD_RESCUE = "food_rescue", gettext_lazy("Food rescue")
        SITE = "site", gettext_lazy("Another site")
        ANONYMOUS = "anonymous", gettext_lazy("Anonymous")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="donors")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("When the donor is another site in the network."),
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("name"),
                name="donor_name_unique_per_site",
                violation_error_message=gettext_lazy(
                    "This site already has a donor with this name."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class DonationImport(Tokened):
    """One spreadsheet of donations imported at a site (Donations -> Import).

    `content_sha256` recognises the same file imported again: the same sheet saved
    on another computer (other line endings, a byte-order mark) has the same hash.
    A site's first import of a content has no `repeat_of`; the partial unique
    constraint allows only one such, so two uploads of one file at the same moment
    cannot both import without the lead confirming. A confirmed repeat points at
    the first import.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="donation_imports")
    content_sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField()
    by = recorded_by()
    created_at = models.DateTimeField(auto_now_add=True)
    repeat_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="repeats"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "content_sha256"],
                condition=Q(repeat_of__isnull=True),
                name="donation_import_first_of_a_file_per_site",
            )
        ]

    def __str__(self) -> str:
        return _("Import %(number)s of %(file)s") % {
            "number": self.pk,
            "file": self.file_name or _("a spreadsheet"),
        }

    def get_absolute_url(self) -> str:
        return quick_reverse("pantry:donations", self.site.slug) + f"?import={self.pk}"


class Donation(Tokened):
    """One intake of food from one donor, as logged at the door."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="donations")
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="donations"
    )
    received_on = models.DateField()
    received_by = recorded_by()
    note = models.CharField(max_length=200, blank=True)
    imported_from = models.ForeignKey(
        DonationImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    # One per form shown: a second submission of the same form finds the first.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return _("Donation %(number)s from %(donor)s") % {
            "number": self.pk,
            "donor": self.donor_name,
        }

    def get_absolute_url(self) -> str:
        return quick_reverse("pantry:donation", self.site.slug, self.pk)

    @property
    def donor_name(self) -> str:
        return self.donor.name if self.donor else _("Anonymous")


class DonationLine(models.Model):
    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="donation_lines")
    quantity_entered = models.DecimalField(**QTY)
    unit_entered = models.CharField(max_length=20)
    quantity = models.DecimalField(help_text=gettext_lazy("In the item's base unit."), **QTY)
    weight_g = models.DecimalField(null=True, blank=True, **QTY)

    class Meta:
        ordering = ["pk"]
        constraints = fits_columns(
            "donation_line", "quantity_entered", "quantity", "weight_g", **QTY
        )

    def __str__(self) -> str:
        return f"{self.quantity_entered} {self.unit_entered} {self.item}"


# --- Distributions out ----------------------------------------------------


class Distribution(Tokened):
    """Food given out: to households (counted, never named) or a partner organisation."""

    class Recipient(models.TextChoices):
        HOUSEHOLDS = "households", gettext_lazy("Households")
        PARTNER = "partner", gettext_lazy("Partner organisation")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="distributions")
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    households = models.PositiveIntegerField(null=True, blank=True)
    people = models.PositiveIntegerField(null=True, blank=True)
    partner = models.CharField(gettext_lazy("partner organisation"), max_length=120, blank=True)
    given_on = models.DateField()
    by = recorded_by()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(recipient="households") | Q(households__gte=1),
                name="distribution_households_counted",
            ),
            models.CheckConstraint(
                condition=~Q(recipient="partner") | ~Q(partner=""),
                name="distribution_partner_named",
            ),
            *fits_columns("distribution", "households", "people", maximum=MAX_INT),
        ]

    def __str__(self) -> str:
        return _("Distribution %(number)s to %(recipient)s") % {
            "number": self.pk,
            "recipient": self.recipient_label,
        }

    def get_absolute_url(self) -> str:
        return quick_reverse("pantry:distribution", self.site.slug, self.pk)

    @property
    def recipient_label(self) -> str:
        if self.recipient == self.Recipient.PARTNER:
            return self.partner
        households = ngettext(
            "%(count)s household", "%(count)s households", self.households or 0
        ) % {"count": self.households}
        if not self.people:
            return households
        return ngettext(
            "%(households)s, %(count)s person", "%(households)s, %(count)s people", self.people
        ) % {"households": households, "count": self.people}


class DistributionLine(models.Model):
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity_entered = models.DecimalField(**QTY)
    unit_entered = models.CharField(max_length=20)
    quantity = models.DecimalField(**QTY)

    class Meta:
        ordering = ["pk"]
        constraints = fits_columns("distribution_line", "quantity_entered", "quantity", **QTY)

    def __str__(self) -> str:
        return f"{self.quantity_entered} {self.unit_entered} {self.item}"


# --- Counts and thresholds ------------------------------------------------


class StockCount(Tokened):
    """A count of the lots in one storage area of one site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="stock_counts")
    storage = models.CharField(gettext_lazy("storage area"), max_length=10, choices=Storage.choices)
    by = recorded_by()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return _("Count of %(storage)s storage at %(site)s on %(day)s") % {
            "storage": self.get_storage_display().lower(),
            "site": self.site,
            "day": f"{self.at:%Y-%m-%d}",
        }

    def get_absolute_url(self) -> str:
        # A count has no page of its own: the site's counts list shows it.
        return quick_reverse("pantry:counts", self.site.slug)


class CountLine(models.Model):
    """One lot that was counted: what the ledger said and what was on the shelf."""

    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="count_lines")
    expected = models.DecimalField(**QTY)
    counted = models.DecimalField(**QTY)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["count", "lot"], name="count_line_once_per_lot"),
            models.CheckConstraint(condition=Q(counted__gte=0), name="count_not_negative"),
            *fits_columns("count_line", "expected", "counted", **QTY),
        ]

    def __str__(self) -> str:
        return _("lot %(lot)s: %(expected)s -> %(counted)s") % {
            "lot": self.lot_id,
            "expected": self.expected,
            "counted": self.counted,
        }


class StockThreshold(models.Model):
    """Below this much of an item, a site is running low."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="stock_thresholds")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="thresholds")
    minimum = models.DecimalField(
        help_text=gettext_lazy("In the item's base unit."), validators=POSITIVE, **QTY
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "item"], name="threshold_once_per_item"),
            models.CheckConstraint(condition=Q(minimum__gt=0), name="threshold_positive"),
            *fits_columns("threshold", "minimum", **QTY),
        ]

    def __str__(self) -> str:
        return f"{self.item} at {self.site}: {self.minimum}"


# --- Temperatures and holds -------------------------------------------------

# Readings outside this range are typing mistakes (or a broken probe), not
# temperatures a fridge, freezer or bain-marie can have: refused, nothing written.
READING_MIN_C = Decimal("-60.0")
READING_MAX_C = Decimal("130.0")
TEMP = {"max_digits": 4, "decimal_places": 1}


class EquipmentQuerySet(models.QuerySet):
    def at(self, site: Site) -> EquipmentQuerySet:
        return self.filter(site=site)

    def in_use(self) -> EquipmentQuerySet:
        return self.filter(retired_at__isnull=True)


class Equipment(models.Model):
    """A fridge, freezer or hot-holding unit at a site, and the limit its food needs.

    Fridges and freezers must read at or below their limit; hot-holding units at or
    above it. Limits are kept in °C with one decimal (pantry.temperatures shows and
    reads °F for sites in US measures).
    """

    class Kind(models.TextChoices):
        FRIDGE = "fridge", gettext_lazy("Fridge")
        FREEZER = "freezer", gettext_lazy("Freezer")
        HOT_HOLDING = "hot_holding", gettext_lazy("Hot-holding unit")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="equipment")
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    limit_c = models.DecimalField(
        gettext_lazy("limit (°C)"),
        help_text=gettext_lazy(
            "Fridges and freezers: the warmest allowed. Hot holding: the coolest."
        ),
        **TEMP,
    )
    checks_per_day = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = recorded_by()

    objects = EquipmentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = gettext_lazy("equipment")
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("name"),
                name="equipment_name_unique_per_site",
                violation_error_message=gettext_lazy(
                    "This site already has a unit with this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(checks_per_day__gte=1) & Q(checks_per_day__lte=24),
                name="equipment_checks_per_day_in_range",
            ),
            models.CheckConstraint(
                condition=Q(limit_c__gte=READING_MIN_C) & Q(limit_c__lte=READING_MAX_C),
                name="equipment_limit_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def keeps_hot(self) -> bool:
        return self.kind == self.Kind.HOT_HOLDING

    def passes(self, value_c: Decimal) -> bool:
        """Is this reading within the unit's limit?"""
        return value_c >= self.limit_c if self.keeps_hot else value_c <= self.limit_c


class Reading(Tokened):
    """One temperature read off one unit: who, when (the server's clock), the value,
    and whether it passed the unit's limit as it was then.

    A reading without a unit was taken of food on the road: a chilled or frozen
    transfer's reading at pickup or on arrival (pantry.network: Transfer.pickup_reading
    and arrival_reading point at it). Such a reading is not one of any unit's checks;
    it exists so that a hold it starts names it, as every temperature hold does.
    """

    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="readings"
    )
    value_c = models.DecimalField(gettext_lazy("reading (°C)"), **TEMP)
    limit_c = models.DecimalField(gettext_lazy("limit then (°C)"), **TEMP)
    passed = models.BooleanField()
    at = models.DateTimeField()
    by = recorded_by()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_c__gte=READING_MIN_C) & Q(value_c__lte=READING_MAX_C),
                name="reading_value_in_range",
            ),
        ]
        indexes = [models.Index(fields=["equipment", "-at"], name="reading_equipment_at")]

    def __str__(self) -> str:
        return _("%(unit)s read %(value)s °C") % {
            "unit": self.equipment or _("Food in transit"),
            "value": self.value_c,
        }


class LotHoldQuerySet(models.QuerySet):
    def open(self) -> LotHoldQuerySet:
        return self.filter(released_at__isnull=True)

    def at(self, site: Site) -> LotHoldQuerySet:
        return self.filter(lot__site=site)


class LotHold(models.Model):
    """A lot taken out of use until a lead decides: released, or discarded.

    Started by a failing temperature reading today; a recall, a failed cooling
    record or a lead's own judgement will start one the same way
    (pantry.services.holds.start_holds). While any hold on a lot is open,
    `Lot.on_hold` is true and nothing but waste can take from it.
    """

    class Cause(models.TextChoices):
        TEMPERATURE = "temperature", gettext_lazy("Temperature")
        RECALL = "recall", gettext_lazy("Recall")
        COOLING = "cooling", gettext_lazy("Cooling record")
        MANUAL = "manual", gettext_lazy("Held by a lead")

    class Outcome(models.TextChoices):
        # Translators: how a hold on a lot of food ended.
        RELEASED = "released", pgettext_lazy("hold", "Released")
        DISCARDED = "discarded", gettext_lazy("Discarded")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="holds")
    cause = models.CharField(max_length=12, choices=Cause.choices)
    reading = models.ForeignKey(
        Reading, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    recall = models.ForeignKey(
        "Recall", on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    note = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    started_by = recorded_by()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = recorded_by()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(max_length=200, blank=True)

    objects = LotHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One breach holds a lot once, however often its reading is sent.
            models.UniqueConstraint(
                fields=["lot", "reading"],
                condition=Q(reading__isnull=False),
                name="hold_once_per_lot_and_reading",
            ),
            models.CheckConstraint(
                condition=Q(cause="temperature", reading__isnull=False) | ~Q(cause="temperature"),
                name="hold_temperature_names_its_reading",
            ),
            # A recall holds a lot once, and a recall's hold names its recall.
            models.UniqueConstraint(
                fields=["lot", "recall"],
                condition=Q(recall__isnull=False),
                name="hold_once_per_lot_and_recall",
            ),
            models.CheckConstraint(
                condition=Q(cause="recall", recall__isnull=False) | ~Q(cause="recall"),
                name="hold_recall_names_its_recall",
            ),
            models.CheckConstraint(
                condition=(
                    Q(released_at__isnull=True, outcome="")
                    | (Q(released_at__isnull=False) & ~Q(outcome="") & ~Q(outcome_reason=""))
                ),
                name="hold_closed_with_outcome_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["lot", "released_at"], name="hold_lot_open")]

    def __str__(self) -> str:
        return _("Hold on lot %(lot)s (%(cause)s)") % {
            "lot": self.lot_id,
            "cause": self.get_cause_display().lower(),
        }

    @property
    def is_open(self) -> bool:
        return self.released_at is None


# --- Recalls ------------------------------------------------------------------


class Recall(models.Model):
    """Food that must come off every shelf it reached: named by item and lot code or
    dates, or by donor and the days received; traced through the ledger to every site
    (pantry.trace); what is left is held until each site answers."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("recall", "Open")
        CLOSED = "closed", pgettext_lazy("recall", "Closed")

    title = models.CharField(gettext_lazy("what is recalled"), max_length=200)
    reason = models.TextField(
        gettext_lazy("why"),
        blank=True,
        help_text=gettext_lazy("The supplier's or authority's notice."),
    )
    # A lead's recall covers their own site; a coordinator's, the whole network (empty).
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="recalls"
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="recalls"
    )
    code = models.CharField(gettext_lazy("lot code"), max_length=60, blank=True)
    dated_from = models.DateField(gettext_lazy("dated from"), null=True, blank=True)
    dated_until = models.DateField(gettext_lazy("dated until"), null=True, blank=True)
    donor_name = models.CharField(gettext_lazy("donor"), max_length=120, blank=True)
    received_from = models.DateField(gettext_lazy("received from"), null=True, blank=True)
    received_until = models.DateField(gettext_lazy("received until"), null=True, blank=True)
    # The lots the criteria named when the recall started; the trace starts from them.
    lots = models.ManyToManyField(Lot, related_name="recalls")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField()
    started_by = recorded_by()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = recorded_by()
    close_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False) | ~Q(donor_name=""),
                name="recall_names_an_item_or_a_donor",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="recall_closed_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return _("Recall #%(number)s: %(title)s") % {"number": self.pk, "title": self.title}

    def get_absolute_url(self) -> str:
        return quick_reverse("pantry:recall", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def criteria_text(self) -> str:
        """ "Chopped tomatoes, lot code L2345, dated 1 Dec to 8 Dec"."""
        parts = []
        if self.item_id:
            parts.append(self.item.name)
        if self.code:
            parts.append(_("lot code %(code)s") % {"code": self.code})
        if self.dated_from or self.dated_until:
            parts.append(_dated_text(self.dated_from, self.dated_until))
        if self.donor_name:
            parts.append(_("from %(donor)s") % {"donor": self.donor_name})
        if self.received_from or self.received_until:
            parts.append(_received_text(self.received_from, self.received_until))
        # Translators: between the parts of what a recall names ("Rice, lot code L1").
        return _(", ").join(parts)


def _dated_text(first: date | None, last: date | None) -> str:
    """ "dated 1 Dec to 8 Dec": the dates on the pack a recall names."""
    if first and last and first != last:
        return _("dated %(first)s to %(last)s") % {"first": day(first), "last": day(last)}
    if first and last:
        return _("dated %(day)s") % {"day": day(first)}
    if first:
        return _("dated from %(day)s") % {"day": day(first)}
    return _("dated until %(day)s") % {"day": day(last)}


def _received_text(first: date | None, last: date | None) -> str:
    """ "received 1 Dec to 8 Dec": the days a recalled donor's food came in."""
    if first and last and first != last:
        return _("received %(first)s to %(last)s") % {"first": day(first), "last": day(last)}
    if first and last:
        return _("received %(day)s") % {"day": day(first)}
    if first:
        return _("received from %(day)s") % {"day": day(first)}
    return _("received until %(day)s") % {"day": day(last)}


class RecallSite(models.Model):
    """One site's part in a recall: the lead's answer, once they have looked."""

    class Answer(models.TextChoices):
        WAITING = "waiting", gettext_lazy("Not answered yet")
        DISCARDED = "discarded", gettext_lazy("Found and discarded")
        NONE_LEFT = "none_left", gettext_lazy("None left")

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="sites")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="recall_answers")
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.WAITING)
    note = models.CharField(max_length=300, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = recorded_by()

    class Meta:
        ordering = ["site__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recall", "site"], name="recall_site_once"),
            models.CheckConstraint(
                condition=Q(answer="waiting", answered_at__isnull=True)
                | (~Q(answer="waiting") & Q(answered_at__isnull=False)),
                name="recall_answer_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return _("%(recall)s at %(site)s: %(answer)s") % {
            "recall": self.recall,
            "site": self.site,
            "answer": self.get_answer_display(),
        }
