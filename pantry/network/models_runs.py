"""Pickup runs: one van, one day, stops in an order a routing solver computes.

A stop picks food up (at a site: the shipment items of transfers it sends; or at
a donor: food given to the donor's site, received there as a donation when the van
drops it), drops it at a site (what the run carries to that site), or delivers to households by
count only: a household stop never names anyone. Each stop has a time window;
the van has a capacity in kilograms, of which a share can be kept chilled.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot.models import Site
from commonpot.numbers import MAX_SMALL_INT, fits_columns
from commonpot.quickurls import quick_reverse
from pantry.models import QTY, Donation, Donor, Item
from pantry.units import display, display_weight

KG = {"max_digits": 7, "decimal_places": 1}


class RunQuerySet(models.QuerySet):
    def visible_to(self, user) -> RunQuerySet:
        from commonpot.permissions import is_coordinator, lead_site_ids

        if is_coordinator(user):
            return self
        return self.filter(site_id__in=lead_site_ids(user))

    def on(self, day) -> RunQuerySet:
        return self.filter(day=day)


class Run(models.Model):
    """A van's day of stops, starting and ending at its home site."""

    class Status(models.TextChoices):
        PLANNED = "planned", gettext_lazy("Planned")
        UNDER_WAY = "under_way", gettext_lazy("Under way")
        DONE = "done", gettext_lazy("Done")

    class Order(models.TextChoices):
        ENTERED = "entered", gettext_lazy("As entered")
        SOLVER = "solver", gettext_lazy("Computed")
        HAND = "hand", gettext_lazy("Changed by hand")

    # How the distances were worked out (`routed_by`, as pantry.network.routing
    # records it), in words.
    ROUTED_BY = {
        "straight line": gettext_lazy("straight line"),
        "routing server": gettext_lazy("routing server"),
    }

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="runs",
        help_text=gettext_lazy("Where the van starts and ends."),
    )
    day = models.DateField()
    starts_at = models.DateTimeField(help_text=gettext_lazy("When the van leaves its site."))
    ends_at = models.DateTimeField(help_text=gettext_lazy("When it must be back."))
    capacity_kg = models.DecimalField(gettext_lazy("van capacity (kg)"), **KG)
    chilled_kg = models.DecimalField(gettext_lazy("of it chilled (kg)"), default=Decimal(0), **KG)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    ordered = models.CharField(max_length=10, choices=Order.choices, default=Order.ENTERED)
    distance_km = models.DecimalField(null=True, blank=True, max_digits=8, decimal_places=1)
    entered_distance_km = models.DecimalField(null=True, blank=True, max_digits=8, decimal_places=1)
    routed_by = models.CharField(
        max_length=20,
        blank=True,
        help_text=gettext_lazy("straight line, or the routing server"),
    )
    problem = models.CharField(
        max_length=300,
        blank=True,
        help_text=gettext_lazy("A stop the van cannot reach within its window."),
    )
    note = models.CharField(gettext_lazy("note for the driver"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["day", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="run_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=Q(capacity_kg__gt=0), name="run_capacity_positive"),
            models.CheckConstraint(
                condition=Q(chilled_kg__gte=0) & Q(chilled_kg__lte=F("capacity_kg")),
                name="run_chilled_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return _("Run %(number)s from %(site)s on %(day)s") % {
            "number": self.pk,
            "site": self.site.name,
            "day": f"{self.day:%d %b %Y}",
        }

    def get_absolute_url(self) -> str:
        return quick_reverse("network:run", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def routed_by_display(self) -> str:
        return str(self.ROUTED_BY.get(self.routed_by, self.routed_by))


class Stop(models.Model):
    class Kind(models.TextChoices):
        PICKUP = "pickup", gettext_lazy("Pick up")
        DROP = "drop", gettext_lazy("Drop at a site")
        HOUSEHOLDS = "households", gettext_lazy("Deliver to households")

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("To do")
        DONE = "done", gettext_lazy("Done")
        SKIPPED = "skipped", gettext_lazy("Skipped")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="stops")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(
        help_text=gettext_lazy("Its place in the run's order.")
    )
    entered = models.PositiveSmallIntegerField(
        help_text=gettext_lazy("The order it was entered in.")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A pickup at a donor (not a site): its address and place on the map are the stop's.
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A household stop has an address and a count, never a name.
    address = models.CharField(max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    households = models.PositiveSmallIntegerField(null=True, blank=True)
    window_from = models.DateTimeField()
    window_until = models.DateTimeField()
    service_minutes = models.PositiveSmallIntegerField(default=10)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    eta = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Arrival the order plans for.")
    )
    late = models.BooleanField(
        default=False, help_text=gettext_lazy("Cannot be reached within its window.")
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The one-time token of the driver's form that recorded it (a phone's offline
    # queue may send it again: commonpot.idempotency), and what that form said.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_until__gt=F("window_from")),
                name="stop_window_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(kind="households") | Q(households__gte=1),
                name="stop_households_counted",
            ),
            models.CheckConstraint(
                condition=Q(kind="households")
                | Q(site__isnull=False, donor__isnull=True)
                | Q(kind="pickup", site__isnull=True, donor__isnull=False),
                name="stop_at_a_site_or_a_donor_unless_households",
            ),
            *fits_columns(
                "stop",
                "position",
                "entered",
                "households",
                "service_minutes",
                maximum=MAX_SMALL_INT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.place_name}"

    @property
    def place_name(self) -> str:
        if self.kind == self.Kind.HOUSEHOLDS:
            n = self.households or 0
            return ngettext("%(count)s household", "%(count)s households", n) % {"count": n}
        if self.donor_id:
            return _("%(donor)s (donor)") % {"donor": self.donor.name}
        return self.site.name if self.site_id else "—"

    @property
    def street_address(self) -> str:
        if not self.site_id:
            return self.address
        parts = [self.site.address, self.site.postal_code, self.site.city]
        return ", ".join(p.strip() for p in parts if p and p.strip())

    @property
    def point(self) -> tuple[float, float] | None:
        """(latitude, longitude), or None when the stop has no place on the map."""
        if self.site_id:
            lat, lng = self.site.latitude, self.site.longitude
        else:
            lat, lng = self.latitude, self.longitude
        if lat is None or lng is None:
            return None
        return float(lat), float(lng)

    @property
    def geo_uri(self) -> str:
        point = self.point
        return f"geo:{point[0]:.5f},{point[1]:.5f}" if point else ""

    @property
    def osm_url(self) -> str:
        point = self.point
        if not point:
            return ""
        lat, lng = point
        return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lng:.5f}#map=17/{lat:.5f}/{lng:.5f}"

    @property
    def is_done(self) -> bool:
        return self.state != self.State.PENDING


class StopLine(models.Model):
    """Food the van loads at a pickup stop: planned, and what was taken.

    At a site it is a transfer's shipment item. At a donor it is food given to the
    donor's site: no transfer, nothing held; when the van drops it at that site
    (or comes home to it) it is received there as a donation (`donation`).
    """

    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="lines")
    shipment_item = models.ForeignKey(
        "network.ShipmentItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stop_lines",
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    donation = models.ForeignKey(
        Donation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("A donor's food, once received at the donor's site."),
    )
    planned = models.DecimalField(
        help_text=gettext_lazy("To load, in the item's base unit."), **QTY
    )
    taken = models.DecimalField(
        null=True, blank=True, help_text=gettext_lazy("Loaded, base unit."), **QTY
    )
    # The one-time token of the driver's form that recorded it (a phone's offline
    # queue may send it again: commonpot.idempotency), and what that form said.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned__gt=0), name="stop_line_planned_positive"),
            models.CheckConstraint(
                condition=Q(taken__isnull=True) | (Q(taken__gte=0) & Q(taken__lte=F("planned"))),
                name="stop_line_taken_within_planned",
            ),
            models.UniqueConstraint(
                fields=["stop", "shipment_item"], name="stop_line_one_per_item"
            ),
            *fits_columns("stop_line", "planned", "taken", **QTY),
        ]

    def __str__(self) -> str:
        return _("%(amount)s of %(item)s") % {
            "amount": self.planned_display,
            "item": self.item.name,
        }

    @property
    def bound_for_id(self) -> int:
        """The site the food goes to: the transfer's destination, or the donor's site."""
        if self.shipment_item_id:
            return self.shipment_item.transfer.destination_id
        return self.stop.donor.site_id

    @property
    def bound_for(self) -> Site:
        if self.shipment_item_id:
            return self.shipment_item.transfer.destination
        return self.stop.donor.site

    @property
    def planned_display(self) -> str:
        return display(self.planned, self.item)

    @property
    def taken_display(self) -> str:
        return display(self.taken, self.item) if self.taken is not None else ""

    @property
    def planned_weight_display(self) -> str:
        """ "(40 kg)" beside a count of loaves or tins; empty when the unit is a weight."""
        if self.item.base_unit == self.item.Unit.GRAM:
            return ""
        weight = self.item.weight_g(self.planned)
        return f"({display_weight(weight)})" if weight is not None else ""

    @property
    def weight_g(self) -> Decimal | None:
        return self.item.weight_g(self.planned if self.taken is None else self.taken)

    @property
    def weight_display(self) -> str:
        return display_weight(self.weight_g)
