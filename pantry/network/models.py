"""Surplus offers, needs and transfers between the sites of the network.

Stock itself stays in the pantry's ledger: an open offer holds its food with a
pantry Reservation under the reference "offer:<id>", a claimed or accepted
transfer under "transfer:<id>". Food on the road is in no lot at all: it is in
the TransferLine rows of a dispatched transfer, each keeping the item, quantity,
date and origin lot it left with, until it is received (new lots at the
destination) or the transfer is cancelled (new lots back at the source).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot.dates import day
from commonpot.idempotency import Tokened
from commonpot.models import Site
from commonpot.numbers import MAX_SMALL_INT, fits_columns, grouped
from commonpot.quickurls import quick_reverse
from pantry.models import QTY, Item, Lot, Reading, StockMove, Storage
from pantry.units import display, display_weight


def end_of_day(site: Site, day) -> datetime:
    """The moment a date ends on the site's clock (food is good through its date)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=site.tz)


# How far an offer may be from a need to be suggested for it: a city by default;
# more than a day's drive is not a match to suggest (a coordinator can still
# propose any transfer by hand).
DEFAULT_MATCH_KM = 30
MAX_MATCH_KM = 1000


def _match_km_validators():
    return [MinValueValidator(1), MaxValueValidator(MAX_MATCH_KM)]


def _match_within_help() -> str:
    return _(
        "Offers further than this from the site are not suggested for its needs "
        "(1 to %(max_km)s km; a need can set its own). Offers at sites with no place "
        'on the map are shown last, marked "distance unknown".'
    ) % {"max_km": grouped(MAX_MATCH_KM)}


class NetworkSettings(models.Model):
    """A site's rules for the network: how far away an offer may be to be suggested
    for the site's needs. Sites without a row use the defaults."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="network_settings")
    match_within_km = models.PositiveSmallIntegerField(
        gettext_lazy("suggest offers within (km)"),
        default=DEFAULT_MATCH_KM,
        validators=_match_km_validators(),
        help_text=lazy(_match_within_help, str)(),
    )

    class Meta:
        verbose_name_plural = gettext_lazy("network settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(match_within_km__gte=1) & Q(match_within_km__lte=MAX_MATCH_KM),
                name="network_settings_within_km_in_range",
            )
        ]

    def __str__(self) -> str:
        return _("Network settings of %(site)s") % {"site": self.site}

    @classmethod
    def for_site(cls, site: Site) -> NetworkSettings:
        """The site's settings, or the defaults (unsaved) when it has none yet."""
        try:
            return site.network_settings
        except cls.DoesNotExist:
            return cls(site=site)


class ColdChain(models.TextChoices):
    NONE = "", gettext_lazy("No (ambient)")
    CHILLED = Storage.CHILLED, gettext_lazy("Chilled")
    FROZEN = Storage.FROZEN, gettext_lazy("Frozen")


# --- Offers -------------------------------------------------------------------


class OfferQuerySet(models.QuerySet):
    def open(self, now: datetime | None = None) -> OfferQuerySet:
        """Offers anyone may still claim: open, and not past their date or pickup window.

        The schedule closes lapsed offers every few minutes; this check at read
        time means nobody sees or claims one in between.
        """
        return self.filter(status=Offer.Status.OPEN, closes_at__gt=now or timezone.now())

    def at(self, site: Site) -> OfferQuerySet:
        return self.filter(site=site)

    def lapsed(self, now: datetime | None = None) -> OfferQuerySet:
        return self.filter(status=Offer.Status.OPEN, closes_at__lte=now or timezone.now())

    def closing_within(self, hours: int, now: datetime | None = None) -> OfferQuerySet:
        now = now or timezone.now()
        return self.open(now).filter(closes_at__lte=now + timedelta(hours=hours))

    def for_cards(self) -> OfferQuerySet:
        """Everything a card shows, in one query, soonest closing first."""
        return self.select_related("site", "item").order_by("closes_at", "pk")


class Offer(Tokened):
    """Surplus food one site offers to the rest of the network.

    `remaining` is what is still offered; it is held in the pantry under
    `reference` so that nobody at the site cooks or gives it out meanwhile.
    Claims move part or all of it to a transfer.
    """

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        TAKEN = "taken", gettext_lazy("All claimed")
        EXPIRED = "expired", gettext_lazy("Closed (date or pickup window passed)")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="offers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Translators: a lot is a batch of one food with one best-before date.
        help_text=gettext_lazy("The lot it was offered from, when the lead chose one."),
    )
    quantity = models.DecimalField(
        help_text=gettext_lazy("Offered at first, in the item's base unit."), **QTY
    )
    remaining = models.DecimalField(
        help_text=gettext_lazy("Still offered (held), base unit."), **QTY
    )
    best_before = models.DateField(null=True, blank=True)
    date_kind = models.CharField(
        max_length=12, choices=Lot.DateKind.choices, default=Lot.DateKind.BEST_BEFORE
    )
    cold_chain = models.CharField(
        gettext_lazy("keep cold in transit"),
        max_length=10,
        choices=ColdChain.choices,
        blank=True,
    )
    pickup_from = models.DateTimeField()
    pickup_until = models.DateTimeField()
    closes_at = models.DateTimeField(
        help_text=gettext_lazy(
            "The end of the best-before day or of the pickup window, whichever is first."
        )
    )
    notes = models.CharField(max_length=300, blank=True)
    share_with_partners = models.BooleanField(
        gettext_lazy("share with partner networks"),
        default=False,
        db_default=False,
        help_text=gettext_lazy(
            "Partner networks this site takes part with see the offer and can claim it."
        ),
    )
    # Counts the changes partner networks were told of: an older copy never
    # overwrites a newer one there (pantry.federation).
    shared_version = models.PositiveIntegerField(default=0, db_default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["closes_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="offer_quantity_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("quantity")),
                name="offer_remaining_within_quantity",
            ),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(remaining__gt=0),
                name="offer_open_has_food",
            ),
            models.CheckConstraint(
                condition=Q(pickup_until__gt=F("pickup_from")),
                name="offer_pickup_window_ends_after_it_starts",
            ),
            *fits_columns("offer", "quantity", "remaining", **QTY),
        ]
        # The open offers, and their sites read from the index itself: the board's
        # counts and its lists of sites with something open do not read the rows.
        indexes = [models.Index(fields=["status", "closes_at", "site"], name="offer_open_idx")]

    def __str__(self) -> str:
        return _("%(amount)s of %(item)s at %(site)s") % {
            "amount": display(self.remaining, self.item),
            "item": self.item.name,
            "site": self.site.name,
        }

    def get_absolute_url(self) -> str:
        return quick_reverse("network:offer", self.pk)

    @property
    def reference(self) -> str:
        return f"offer:{self.pk}"

    @classmethod
    def holds_in_words(cls, pks: list[int]) -> dict[int, str]:
        """What food held under each offer's reference is held for, as a lead says it."""
        offers = cls.objects.filter(pk__in=pks).select_related("item")
        return {
            o.pk: _("the offer of %(amount)s of %(item)s to the network")
            % {"amount": o.quantity_display, "item": o.item.name}
            for o in offers
        }

    @property
    def remaining_display(self) -> str:
        return display(self.remaining, self.item)

    @property
    def quantity_display(self) -> str:
        return display(self.quantity, self.item)

    @property
    def weight_g(self) -> Decimal | None:
        return self.item.weight_g(self.remaining)

    @property
    def weight_display(self) -> str:
        return display_weight(self.weight_g)

    @property
    def is_leftovers(self) -> bool:
        return self.item.category == Item.Category.PREPARED

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.OPEN and self.closes_at > (now or timezone.now())

    @property
    def date_label(self) -> str:
        """The food's date, flagged when it has passed: an open offer may hold food
        past best-before (within the offering site's limit; see pantry.freshness)."""
        if self.best_before is None:
            return _("no date")
        label = f"{self.get_date_kind_display().lower()} {day(self.best_before)}"
        if self.best_before < self.site.today():
            return _("%(date)s · past best before") % {"date": label}
        return label

    @property
    def local_pickup_from(self) -> datetime:
        return self.site.local(self.pickup_from)

    @property
    def local_pickup_until(self) -> datetime:
        return self.site.local(self.pickup_until)


# --- Needs ----------------------------------------------------------------------


class NeedQuerySet(models.QuerySet):
    def open(self, now: datetime | None = None) -> NeedQuerySet:
        return self.filter(status=Need.Status.OPEN, closes_at__gt=now or timezone.now())

    def at(self, site: Site) -> NeedQuerySet:
        return self.filter(site=site)

    def lapsed(self, now: datetime | None = None) -> NeedQuerySet:
        return self.filter(status=Need.Status.OPEN, closes_at__lte=now or timezone.now())

    def for_cards(self) -> NeedQuerySet:
        return self.select_related("site", "item").order_by("closes_at", "pk")

    def with_limits(self) -> NeedQuerySet:
        """With the site's network settings, which `Need.limit_km` reads (no query each)."""
        return self.select_related("site__network_settings", "item")


class Need(Tokened):
    """Food a site is short of: one item, or anything of a category, by a date.

    `quantity` is in the item's base unit for an item need, and in grams for a
    need of a whole category (categories mix units; weight is what they share).
    """

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        MET = "met", gettext_lazy("Met")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
        EXPIRED = "expired", gettext_lazy("Closed (date passed)")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="needs")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Item.Category.choices)
    quantity = models.DecimalField(**QTY)
    received = models.DecimalField(
        default=Decimal(0),
        help_text=gettext_lazy("Received through transfers so far, same unit."),
        **QTY,
    )
    needed_by = models.DateField()
    closes_at = models.DateTimeField(
        help_text=gettext_lazy("The end of the needed-by day at the site.")
    )
    within_km = models.PositiveSmallIntegerField(
        gettext_lazy("suggest offers within (km)"),
        null=True,
        blank=True,
        validators=_match_km_validators(),
        help_text=gettext_lazy("Empty: the site's own limit."),
    )
    note = models.CharField(max_length=300, blank=True)
    share_with_partners = models.BooleanField(
        gettext_lazy("share with partner networks"),
        default=False,
        db_default=False,
        help_text=gettext_lazy("Partner networks this site takes part with see the need."),
    )
    shared_version = models.PositiveIntegerField(default=0, db_default=0)
    reference = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text=gettext_lazy("What raised the need in another app, such as 'meal-service:12'."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = NeedQuerySet.as_manager()

    # What in-flight transfers bring towards this need, in its unit: set for the
    # needs a page shows by pantry.network.progress.attach_on_the_way.
    on_the_way = Decimal(0)

    class Meta:
        ordering = ["closes_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="need_quantity_positive"),
            models.CheckConstraint(
                condition=Q(within_km__isnull=True)
                | (Q(within_km__gte=1) & Q(within_km__lte=MAX_MATCH_KM)),
                name="need_within_km_in_range",
            ),
            models.CheckConstraint(condition=Q(received__gte=0), name="need_received_positive"),
            *fits_columns("need", "quantity", "received", **QTY),
        ]
        # The open needs, and their sites read from the index itself: the board's
        # counts and its lists of sites with something open do not read the rows.
        indexes = [models.Index(fields=["status", "closes_at", "site"], name="need_open_idx")]

    def __str__(self) -> str:
        return _("%(what)s for %(site)s") % {"what": self.what, "site": self.site.name}

    def get_absolute_url(self) -> str:
        return quick_reverse("network:need", self.pk)

    @property
    def what(self) -> str:
        if self.item_id:
            return self.item.name
        return _("any %(category)s") % {"category": self.get_category_display().lower()}

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received, Decimal(0))

    @property
    def left_to_find(self) -> Decimal:
        """What is still needed and not yet on its way (see `on_the_way`)."""
        return max(self.outstanding - self.on_the_way, Decimal(0))

    @property
    def left_to_find_display(self) -> str:
        return self.show(self.left_to_find)

    @property
    def on_the_way_display(self) -> str:
        return self.show(self.on_the_way)

    @property
    def limit_km(self) -> int:
        """How far an offer may be to be suggested: the need's own limit, else its site's."""
        if self.within_km is not None:
            return self.within_km
        return NetworkSettings.for_site(self.site).match_within_km

    def show(self, quantity: Decimal) -> str:
        return display(quantity, self.item) if self.item_id else display_weight(quantity)

    @property
    def quantity_display(self) -> str:
        return self.show(self.quantity)

    @property
    def outstanding_display(self) -> str:
        return self.show(self.outstanding)

    @property
    def received_display(self) -> str:
        return self.show(self.received)

    @property
    def outstanding_weight_g(self) -> Decimal | None:
        """What is still needed, by weight (None for pieces of unknown weight)."""
        if self.item_id:
            return self.item.weight_g(self.outstanding)
        return self.outstanding


# --- Transfers ------------------------------------------------------------------


class TransferQuerySet(models.QuerySet):
    def involving(self, site_ids) -> TransferQuerySet:
        return self.filter(Q(source_id__in=site_ids) | Q(destination_id__in=site_ids))

    def visible_to(self, user) -> TransferQuerySet:
        from commonpot.permissions import is_coordinator, lead_site_ids

        if is_coordinator(user):
            return self
        return self.involving(lead_site_ids(user))

    def in_flight(self) -> TransferQuerySet:
        return self.filter(status__in=Transfer.IN_FLIGHT)

    def with_contents(self) -> TransferQuerySet:
        """With every shipment item and its food, for `Transfer.contents` (one query
        more, whatever the number of transfers)."""
        return self.prefetch_related(
            models.Prefetch(
                "items",
                queryset=ShipmentItem.objects.select_related("item").order_by("position", "pk"),
            )
        )

    def for_lists(self) -> TransferQuerySet:
        return (
            self.select_related("source", "destination", "item")
            .with_contents()
            .order_by("-proposed_at")
        )


class Transfer(Tokened):
    """Food moving from one site to another.

    proposed (a coordinator, or a site claiming an offer) -> accepted by the
    source -> dispatched (out of the source's lots, into this transfer's lines)
    -> received at the destination; or cancelled at any point before receipt.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", gettext_lazy("Proposed")
        ACCEPTED = "accepted", gettext_lazy("Accepted")
        DISPATCHED = "dispatched", gettext_lazy("In transit")
        RECEIVED = "received", gettext_lazy("Received")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    IN_FLIGHT = (Status.PROPOSED, Status.ACCEPTED, Status.DISPATCHED)

    source = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="transfers_out")
    destination = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="transfers_in")
    # The shipment's first item and its quantity (its items are ShipmentItem rows):
    # kept on the transfer so lists, needs' progress and emails name the food
    # without a query per transfer.
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(
        help_text=gettext_lazy("Asked for, in the item's base unit."), **QTY
    )
    more_items = models.PositiveSmallIntegerField(
        default=0,
        help_text=gettext_lazy("How many items the shipment carries besides the first."),
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    need = models.ForeignKey(
        Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="transfers"
    )
    cold_chain = models.CharField(max_length=10, choices=ColdChain.choices, blank=True)
    note = models.CharField(gettext_lazy("note for the driver"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    # A short or damaged delivery: why, and where the unusable part went.
    shortfall_reason = models.CharField(
        max_length=12, choices=StockMove.WasteReason.choices, blank=True
    )
    shortfall_destination = models.CharField(
        max_length=12, choices=StockMove.Destination.choices, blank=True
    )
    receipt_note = models.CharField(max_length=300, blank=True)
    # Chilled and frozen food is read at pickup and on arrival (pantry.network.cold):
    # readings without a unit, so that a hold started by one names it.
    pickup_reading = models.OneToOneField(
        Reading, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arrival_reading = models.OneToOneField(
        Reading, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="transfer_between_two_sites"
            ),
            # Zero only when a driver found none of the shipment's first item at pickup.
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="transfer_quantity_not_negative"
            ),
            *fits_columns("transfer", "quantity", **QTY),
            *fits_columns("transfer", "more_items", maximum=MAX_SMALL_INT),
        ]
        indexes = [models.Index(fields=["status", "-proposed_at"], name="transfer_status_idx")]

    def __str__(self) -> str:
        return _("Transfer %(number)s: %(what)s, %(source)s to %(destination)s") % {
            "number": self.pk,
            "what": self.what,
            "source": self.source.name,
            "destination": self.destination.name,
        }

    @property
    def what(self) -> str:
        """The food in a few words: "Bread", or "Bread and 2 more items"."""
        if not self.more_items:
            return self.item.name
        return ngettext(
            "%(item)s and %(count)s more item", "%(item)s and %(count)s more items", self.more_items
        ) % {"item": self.item.name, "count": self.more_items}

    @property
    def is_shipment(self) -> bool:
        return self.more_items > 0

    # Shown in full in lists up to this many items; past it, the first ones and "+ N more".
    LISTED_ITEMS = 3

    @property
    def carried(self) -> list[ShipmentItem]:
        """The shipment's items, in order (prefetched by `with_contents`), leaving out
        those a driver found none of at pickup (unless that is all of them)."""
        items = list(self.items.all())
        return [si for si in items if si.quantity > 0] or items

    @property
    def contents(self) -> str:
        """All the food: "Rice 10 kg, Beans 4 kg"."""
        return ", ".join(si.in_words for si in self.carried)

    @property
    def contents_short(self) -> str:
        """The food for a list's row: every item up to three, else "Rice 10 kg, Beans 4 kg
        + 3 more items" (the transfer's page lists them all)."""
        items = self.carried
        if len(items) <= self.LISTED_ITEMS:
            return ", ".join(si.in_words for si in items)
        shown, more = items[: self.LISTED_ITEMS - 1], len(items) - self.LISTED_ITEMS + 1
        return ngettext(
            "%(items)s + %(count)s more item", "%(items)s + %(count)s more items", more
        ) % {"items": ", ".join(si.in_words for si in shown), "count": more}

    @property
    def total_weight_g(self) -> Decimal | None:
        """The whole shipment's weight (None when an item's weight is unknown)."""
        weights = [si.weight_g for si in self.carried]
        return None if any(w is None for w in weights) else sum(weights, Decimal(0))

    @property
    def amount_display(self) -> str:
        """One item: its amount ("12 loaves"); several: their weight together."""
        items = self.carried
        if len(items) == 1:
            return items[0].quantity_display
        return ngettext(
            "%(count)s item · %(weight)s", "%(count)s items · %(weight)s", len(items)
        ) % {"count": len(items), "weight": display_weight(self.total_weight_g)}

    def get_absolute_url(self) -> str:
        return quick_reverse("network:transfer", self.pk)

    @property
    def reference(self) -> str:
        return f"transfer:{self.pk}"

    @classmethod
    def holds_in_words(cls, pks: list[int]) -> dict[int, str]:
        """What food held under each transfer's reference is held for, as a lead says it."""
        transfers = cls.objects.filter(pk__in=pks).select_related("destination")
        return {
            t.pk: _("transfer #%(number)s to %(site)s")
            % {"number": t.pk, "site": t.destination.name}
            for t in transfers
        }

    @property
    def quantity_display(self) -> str:
        return display(self.quantity, self.item)

    @property
    def is_in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT


class ShipmentItem(models.Model):
    """One item a transfer carries, as asked for: a quantity of an item, taken from
    the source's lots first expiring first, or from one named lot.

    A transfer is a shipment of one or more of these. When it is dispatched each
    becomes one TransferLine per lot the food left (its origin lots).
    """

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(
        help_text=gettext_lazy("Asked for, in the item's base unit."), **QTY
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Translators: a lot is a batch of one food with one best-before date.
        help_text=gettext_lazy("The lot to take it from; empty: first expiring first."),
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            # Zero only when a driver found none of it at pickup ("took 0 of 40 kg").
            models.CheckConstraint(condition=Q(quantity__gte=0), name="shipment_item_not_negative"),
            models.UniqueConstraint(
                fields=["transfer", "position"], name="shipment_item_position_unique"
            ),
            *fits_columns("shipment_item", "quantity", **QTY),
            *fits_columns("shipment_item", "position", maximum=MAX_SMALL_INT),
        ]

    def __str__(self) -> str:
        return _("%(amount)s of %(item)s") % {
            "amount": display(self.quantity, self.item),
            "item": self.item.name,
        }

    @property
    def quantity_display(self) -> str:
        return display(self.quantity, self.item)

    @property
    def weight_g(self) -> Decimal | None:
        return self.item.weight_g(self.quantity)

    @property
    def in_words(self) -> str:
        return f"{self.item.name} {self.quantity_display}"


class TransferLine(models.Model):
    """What left one source lot on a dispatched transfer: food on the road.

    Its quantity is in transit while the transfer is dispatched; on receipt it
    becomes a new lot at the destination (`received_lot`), on cancellation a new
    lot back at the source (`returned_lot`), each keeping this line's date,
    storage and origin.
    """

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="lines")
    shipment_item = models.ForeignKey(
        ShipmentItem, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    origin_lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(
        help_text=gettext_lazy("Dispatched, in the item's base unit."), **QTY
    )
    weight_g = models.DecimalField(null=True, blank=True, **QTY)
    best_before = models.DateField(null=True, blank=True)
    date_kind = models.CharField(
        max_length=12, choices=Lot.DateKind.choices, default=Lot.DateKind.BEST_BEFORE
    )
    storage = models.CharField(max_length=10, choices=Storage.choices)
    origin = models.CharField(
        max_length=200, help_text=gettext_lazy("Where the food first came from.")
    )
    received_quantity = models.DecimalField(
        null=True, blank=True, help_text=gettext_lazy("Arrived in good condition."), **QTY
    )
    shortfall = models.DecimalField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Short on arrival (recorded as waste)."),
        **QTY,
    )
    damaged = models.DecimalField(
        default=Decimal(0), help_text=gettext_lazy("Arrived damaged (recorded as waste)."), **QTY
    )
    received_lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_line_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True)
                | (
                    Q(received_quantity__gte=0)
                    & Q(shortfall__gte=0)
                    & Q(damaged__gte=0)
                    & Q(quantity=F("received_quantity") + F("shortfall") + F("damaged"))
                ),
                name="transfer_line_received_short_damaged_add_up",
            ),
            *fits_columns(
                "transfer_line",
                "quantity",
                "weight_g",
                "received_quantity",
                "shortfall",
                "damaged",
                **QTY,
            ),
        ]

    def __str__(self) -> str:
        # Translators: a lot is a batch of one food with one best-before date.
        return _("%(amount)s of %(item)s (lot %(lot)s)") % {
            "amount": display(self.quantity, self.item),
            "item": self.item.name,
            "lot": self.origin_lot_id,
        }

    @property
    def quantity_display(self) -> str:
        return display(self.quantity, self.item)

    @property
    def weight_display(self) -> str:
        return display_weight(self.weight_g)

    @property
    def received_display(self) -> str:
        return display(self.received_quantity, self.item)

    @property
    def shortfall_display(self) -> str:
        return display(self.shortfall, self.item)

    @property
    def damaged_display(self) -> str:
        return display(self.damaged, self.item)


# Pickup runs live in their own module; imported here so Django finds them.
from pantry.network.models_runs import Run, Stop, StopLine  # noqa: E402, F401
