"""Partner networks: another Commonpot install, paired with this one.

Each install owns its own records. What it shares with a partner (an offer, a
need) is a copy there (`PartnerOffer`, `PartnerNeed`) that only the owner's
messages change, and each message carries the record's version: an older one
never overwrites a newer one. Messages go out through a per-partner outbox
(`Outgoing`), strictly in order and retried until the partner takes them, and
come in through an inbox (`Incoming`) that applies each message once.

Food that crosses the link is a `PartnerTransfer`, kept on both installs under
one `uid`: on the sending side it holds the offer's food, then keeps the food
in transit (its `lines`) until the partner says it arrived; on the receiving
side it becomes new lots when the lead records what arrived.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.models import Site
from commonpot.numbers import fits_columns
from pantry.models import QTY, Item, Lot, Storage
from pantry.network.models import ColdChain, Offer
from pantry.units import display_weight


class InstallKey(models.Model):
    """This install's signing key (Ed25519): one row, made on first use."""

    private_key_pem = models.TextField()
    public_key_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return _("Signing key made %(when)s") % {"when": f"{self.created_at:%Y-%m-%d}"}


class PartnerInvitation(models.Model):
    """A one-time invitation to pair, valid for 48 hours. Only a digest of its
    secret is kept: the text itself is shown once, to the coordinator who made it."""

    code_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        "Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Invitation of %(when)s") % {"when": f"{self.created_at:%Y-%m-%d %H:%M}"}

    def is_usable(self, now=None) -> bool:
        return self.used_at is None and self.expires_at > (now or timezone.now())


class Partner(models.Model):
    """Another Commonpot install this one is paired with."""

    class Status(models.TextChoices):
        ACTIVE = "active", gettext_lazy("Active")
        PAUSED = "paused", gettext_lazy("Paused")
        ENDED = "ended", gettext_lazy("Ended")

    name = models.CharField(max_length=120)
    url = models.CharField(
        max_length=200,
        unique=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=gettext_lazy("The partner's address."),
    )
    key_id = models.CharField(max_length=300)
    public_key_pem = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("our sites that take part"),
        help_text=gettext_lazy(
            "Offers and needs of these sites that are marked to share go to this partner, "
            "and these sites can claim the partner's offers."
        ),
    )
    categories = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("The categories of food shared with this partner; none: all."),
    )
    paired_at = models.DateTimeField(default=timezone.now)
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The last sequence number given to a message to this partner, and the last
    # one taken from it (its messages arrive in order; one seen before is ignored).
    last_out_seq = models.PositiveBigIntegerField(default=0)
    last_in_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def inbox_url(self) -> str:
        return f"{self.url}/federation/inbox"

    @property
    def actor(self) -> str:
        return f"{self.url}/federation/actor"

    def shares(self, category: str) -> bool:
        return not self.categories or category in self.categories

    @property
    def categories_display(self) -> str:
        if not self.categories:
            return _("All categories")
        labels = dict(Item.Category.choices)
        return ", ".join(str(labels.get(c, c)) for c in self.categories)


def kind_label(kind: str) -> str:
    """What a message was, in a coordinator's words ("Update Proposal": an offer
    or need shared or changed)."""
    labels = {
        "Update Proposal": _("An offer or need, shared or changed"),
        "Offer Commitment": _("A claim"),
        "Accept Commitment": _("A claim accepted"),
        "Reject Commitment": _("A claim refused or called off"),
        "Create pickup": _("Food dispatched"),
        "Create receipt": _("What arrived"),
        "Leave Organization": _("The link ended"),
    }
    return str(labels.get(kind, kind))


class Outgoing(models.Model):
    """A message to a partner, kept until the partner has taken it."""

    class State(models.TextChoices):
        WAITING = "waiting", gettext_lazy("Waiting to send")
        SENT = "sent", gettext_lazy("Sent")
        REFUSED = "refused", gettext_lazy("Refused by the partner")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="outbox")
    seq = models.PositiveBigIntegerField()
    activity = models.JSONField()
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partner", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "seq"], name="outgoing_seq_once"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outgoing_due_idx")]

    def __str__(self) -> str:
        return f"{self.partner} #{self.seq} {self.kind}"

    @property
    def kind_display(self) -> str:
        return kind_label(self.kind)


class Incoming(models.Model):
    """A message a partner sent: applied, ignored (seen before) or refused, with why."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", gettext_lazy("Applied")
        IGNORED = "ignored", gettext_lazy("Ignored (older than what we have)")
        REFUSED = "refused", gettext_lazy("Refused")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="inbox")
    activity_id = models.CharField(max_length=300)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    activity = models.JSONField()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "activity_id"], name="incoming_activity_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} #{self.seq} {self.kind}: {self.outcome}"

    @property
    def kind_display(self) -> str:
        return kind_label(self.kind)


class SeenNonce(models.Model):
    """A signature's nonce, kept while a signature carrying it could still be
    valid, so that a recorded request sent again is refused."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=100)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "nonce"], name="nonce_seen_once"),
        ]

    def __str__(self) -> str:
        return self.nonce


# What both sides keep of the food a partner describes: enough to show amounts
# in its units and, on arrival, to find or make the item in our catalog.
DESCRIPTION = (
    "item_name",
    "category",
    "base_unit",
    "piece_name",
    "weight_per_piece_g",
    "storage",
)


def described_item(row) -> dict:
    """The fields of an Item as `row` (a partner's offer, need or transfer) describes it."""
    fields = {name: getattr(row, name) for name in DESCRIPTION}
    fields["name"] = fields.pop("item_name")
    fields["piece_name"] = fields["piece_name"] or "piece"
    return fields


class Shared(models.Model):
    """What both copies of a partner's offer or need keep: the partner's words for
    the food and the place, never anything about people."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    uri = models.CharField(max_length=300)
    version = models.PositiveIntegerField()
    site_name = models.CharField(max_length=120)
    locality = models.CharField(max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    item_name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Item.Category.choices)
    base_unit = models.CharField(max_length=10, choices=Item.Unit.choices)
    piece_name = models.CharField(max_length=30, blank=True)
    weight_per_piece_g = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    storage = models.CharField(max_length=10, choices=Storage.choices, default=Storage.DRY)
    quantity = models.DecimalField(**QTY)
    best_before = models.DateField(null=True, blank=True)
    date_kind = models.CharField(
        max_length=12, choices=Lot.DateKind.choices, default=Lot.DateKind.BEST_BEFORE
    )
    closes_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def item_like(self) -> Item:
        """An unsaved Item with the partner's description, for showing amounts."""
        return Item(**described_item(self))

    @property
    def weight_display(self) -> str:
        return display_weight(self.item_like().weight_g(self.quantity))


class PartnerOfferQuerySet(models.QuerySet):
    def open(self, now=None):
        return self.filter(
            status=Offer.Status.OPEN,
            closes_at__gt=now or timezone.now(),
            partner__status=Partner.Status.ACTIVE,
        )


class PartnerOffer(Shared):
    """A partner's surplus offer, as the partner last told us."""

    pickup_from = models.DateTimeField()
    pickup_until = models.DateTimeField()
    cold_chain = models.CharField(max_length=10, choices=ColdChain.choices, blank=True)

    objects = PartnerOfferQuerySet.as_manager()

    class Meta:
        ordering = ["closes_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "uri"], name="partner_offer_once"),
            *fits_columns("partner_offer", "quantity", **QTY),
        ]

    def __str__(self) -> str:
        return _("%(item)s at %(site)s (%(partner)s)") % {
            "item": self.item_name,
            "site": self.site_name,
            "partner": self.partner.name,
        }

    def is_open(self, now=None) -> bool:
        return (
            self.status == Offer.Status.OPEN
            and self.closes_at > (now or timezone.now())
            and self.partner.status == Partner.Status.ACTIVE
        )


class PartnerNeed(Shared):
    """A partner's need, as the partner last told us."""

    objects = PartnerOfferQuerySet.as_manager()

    class Meta:
        ordering = ["closes_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "uri"], name="partner_need_once"),
            *fits_columns("partner_need", "quantity", **QTY),
        ]

    def __str__(self) -> str:
        return _("%(item)s needed at %(site)s (%(partner)s)") % {
            "item": self.item_name,
            "site": self.site_name,
            "partner": self.partner.name,
        }


class PartnerTransfer(models.Model):
    """Food moving between a site of ours and a site of a partner network."""

    class Direction(models.TextChoices):
        OUT = "out", gettext_lazy("To a partner network")
        IN = "in", gettext_lazy("From a partner network")

    class Status(models.TextChoices):
        REQUESTED = "requested", gettext_lazy("Claimed, waiting for the sender")
        ACCEPTED = "accepted", gettext_lazy("Accepted")
        DISPATCHED = "dispatched", gettext_lazy("In transit")
        RECEIVED = "received", gettext_lazy("Received")
        REFUSED = "refused", gettext_lazy("Refused")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    uid = models.UUIDField(default=uuid.uuid4)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=gettext_lazy("Our site: the one sending, or the one receiving."),
    )
    partner_site_name = models.CharField(max_length=120)
    # Sending side: our offer. Receiving side: the partner's offer, as we know it.
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_offer = models.ForeignKey(
        PartnerOffer, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    # Sending side: our item. Receiving side: set when the food is received.
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item_name = models.CharField(max_length=120)
    base_unit = models.CharField(max_length=10, choices=Item.Unit.choices)
    piece_name = models.CharField(max_length=30, blank=True)
    weight_per_piece_g = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    category = models.CharField(max_length=20, choices=Item.Category.choices)
    storage = models.CharField(max_length=10, choices=Storage.choices, default=Storage.DRY)
    cold_chain = models.CharField(max_length=10, choices=ColdChain.choices, blank=True)
    # Chilled or frozen food is read with a probe at pickup and on arrival (°C).
    pickup_c = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    arrival_c = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    quantity = models.DecimalField(**QTY)
    received_quantity = models.DecimalField(null=True, blank=True, **QTY)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "uid"], name="partner_transfer_once_per_partner"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="partner_transfer_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True) | Q(received_quantity__gte=0),
                name="partner_transfer_received_not_negative",
            ),
            *fits_columns("partner_transfer", "quantity", "received_quantity", **QTY),
        ]

    def __str__(self) -> str:
        return _("%(item)s %(direction)s %(partner)s") % {
            "item": self.item_name,
            "direction": "→" if self.direction == self.Direction.OUT else "←",
            "partner": self.partner.name,
        }

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("federation:transfer", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"partner-transfer:{self.pk}"

    @classmethod
    def holds_in_words(cls, pks: list[int]) -> dict[int, str]:
        rows = cls.objects.filter(pk__in=pks).select_related("partner")
        return {
            t.pk: _("the claim of %(site)s (%(partner)s)")
            % {"site": t.partner_site_name, "partner": t.partner.name}
            for t in rows
        }

    def item_like(self) -> Item:
        if self.item is not None:
            return self.item
        return Item(**described_item(self))

    @property
    def cold(self):
        """What pantry.network.cold reads of a transfer: its cold chain and its
        food's storage (the item is not ours yet on the receiving side)."""
        return SimpleNamespace(
            cold_chain=self.cold_chain, item=SimpleNamespace(storage=self.storage)
        )

    @property
    def in_transit(self) -> Decimal:
        if self.status != self.Status.DISPATCHED:
            return Decimal(0)
        return sum((line.quantity for line in self.lines.all()), Decimal(0))


class PartnerTransferLine(models.Model):
    """One lot's part of a partner transfer, as it left (sending side) or as the
    partner said it left (receiving side)."""

    transfer = models.ForeignKey(PartnerTransfer, on_delete=models.CASCADE, related_name="lines")
    origin_lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = models.DecimalField(**QTY)
    best_before = models.DateField(null=True, blank=True)
    date_kind = models.CharField(
        max_length=12, choices=Lot.DateKind.choices, default=Lot.DateKind.BEST_BEFORE
    )
    lot_code = models.CharField(max_length=60, blank=True)
    received = models.DecimalField(null=True, blank=True, **QTY)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="partner_transfer_line_positive"
            ),
            *fits_columns("partner_transfer_line", "quantity", "received", **QTY),
        ]

    def __str__(self) -> str:
        return f"{self.transfer} {self.quantity}"
