"""The network core: people, sites and who may do what where."""

from __future__ import annotations

import hashlib
import secrets
import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commonpot.hours import Opening, open_at, safe_parse_hours, validate_hours
from commonpot.quickurls import quick_reverse

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("%(value)s is not a known time zone.") % {"value": repr(value)}
        )


class SiteTime(datetime):
    """An aware datetime on a site's clock, which templates do not convert again."""

    convert_to_local_time = False


class CommonpotUserManager(UserManager):
    def get_by_natural_key(self, username: str):
        # Log-in names are matched without regard to case: "Lead" is "lead".
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """Anyone with an account: a volunteer, a lead, a coordinator.

    Being a lead or volunteer is per site (Membership); being a coordinator is
    network-wide and lives here.
    """

    class ReminderTimes(models.TextChoices):
        SITE = "site", _("As the site sends them (the day before, and maybe on the day)")
        FIRST_ONLY = "first", _("Only the day before")
        ALSO_SOON = "soon", _("The day before and two hours before")

    email = models.EmailField(_("email address"), blank=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text=_("In international form."))
    # Where reminders and notices about one's shifts reach a person: one or more
    # channels, or none (then nothing is decided for them, see volunteers.reminders).
    remind_by_email = models.BooleanField(_("by email"), default=True)
    remind_by_sms = models.BooleanField(_("by text message (SMS)"), default=False)
    remind_by_push = models.BooleanField(_("by a notification on my phone"), default=False)
    reminder_times = models.CharField(
        _("when"),
        max_length=10,
        choices=ReminderTimes.choices,
        default=ReminderTimes.SITE,
    )
    weekly_digest = models.BooleanField(_("weekly email of shifts that need people"), default=False)
    # Pages, emails, texts and calendar feeds in this language; blank until chosen
    # (then the browser's, commonpot.i18n). Set at sign-up from the browser.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, db_default=""
    )
    is_coordinator = models.BooleanField(
        _("network coordinator"),
        default=False,
        help_text=_("Coordinators see and manage every site in the network."),
    )
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommonpotUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("An account with this email address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_of(self.display_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def name_of(display_name: str, first_name: str, last_name: str, username: str) -> str:
        """`name` from the four columns, for a long list read as rows (NAME_FIELDS)."""
        return display_name or f"{first_name} {last_name}".strip() or username

    @property
    def first_name_only(self) -> str:
        """What other volunteers see of this person on a shift card."""
        return (self.name.split() or [gettext("Someone")])[0]

    @property
    def wants_reminders(self) -> bool:
        return self.remind_by_email or self.remind_by_sms or self.remind_by_push

    def erase(self) -> None:
        """Remove personal data, keeping the row so counts and history stay whole."""
        self.username = f"erased-{self.pk}"
        self.display_name = gettext("Former volunteer")
        self.first_name = ""
        self.last_name = ""
        self.email = ""
        self.phone = ""
        self.remind_by_email = False
        self.remind_by_sms = False
        self.remind_by_push = False
        self.weekly_digest = False
        self.is_active = False
        self.is_staff = False
        self.is_superuser = False
        self.is_coordinator = False
        self.erased_at = timezone.now()
        self.set_unusable_password()
        self.save()


class SiteQuerySet(models.QuerySet):
    def public(self) -> SiteQuerySet:
        return self.filter(is_public=True, is_active=True)

    def active(self) -> SiteQuerySet:
        return self.filter(is_active=True)

    def led_by(self, user: User) -> SiteQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.filter(memberships__user=user, memberships__role=Membership.Role.LEAD)


class Site(models.Model):
    """A place in the network that holds food, cooks, or needs people.

    A site here is its identity, place, time zone, contact and visibility. Each
    app keeps its own per-site settings in a one-to-one row beside it (the
    pantry's stores and paper, the volunteers' shift policy) and shows them as a
    section of the site's Settings page through commonpot.registry.
    """

    class Kind(models.TextChoices):
        COMMUNITY_KITCHEN = "community_kitchen", _("Community kitchen")
        CAMP_KITCHEN = "camp_kitchen", _("Camp kitchen")
        PANTRY = "pantry", _("Pantry")
        FOOD_BANK = "food_bank", _("Food bank")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    # Its service's id in the open data (HSDS), kept so a look-up is one indexed
    # query. Sites from before it was kept have the id they were published with.
    service_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    address = models.TextField(blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text=_("Two-letter country code, such as GB or US.")
    )
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    show_exact_location = models.BooleanField(
        default=True,
        help_text=_("Untick to list the site by town only (camps often must not publish one)."),
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", choices=TIME_ZONE_CHOICES, validators=[validate_time_zone]
    )
    is_public = models.BooleanField(
        _("listed publicly"),
        default=True,
        help_text=_("Shown in the public directory and open data."),
    )
    is_active = models.BooleanField(default=True)
    language = models.CharField(
        _("language of its printed sheets"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        # In the database too: a node still on the code before it writes sites without it.
        db_default=settings.LANGUAGE_CODE,
        help_text=_("The day sheet, rosters, labels and receipts printed for the site."),
    )
    contact_phone = models.CharField(max_length=32, blank=True)
    contact_email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    opening_hours = models.TextField(
        _("opening hours and meal times"),
        blank=True,
        validators=[validate_hours],
        help_text=_(
            "One line each: days, times, then what it is. For example "
            "'Mon-Fri 10:00-16:00' or 'Daily 18:00-19:30 Dinner'."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # The public directory and the open data's lists page through the public
            # sites by name: a page reads its rows from here instead of sorting them all.
            models.Index(
                fields=["name", "id"],
                condition=Q(is_active=True, is_public=True),
                name="site_public_name_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="site_lat_lng_together",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return quick_reverse("site_detail", self.slug)

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local(self, moment: datetime) -> datetime:
        """A stored (UTC) moment as the site's clock shows it.

        Templates show it as it is: Django's date and time filters would
        otherwise turn it back into the server's zone.
        """
        t = timezone.localtime(moment, self.tz)
        return SiteTime(
            t.year,
            t.month,
            t.day,
            t.hour,
            t.minute,
            t.second,
            t.microsecond,
            tzinfo=t.tzinfo,
            fold=t.fold,
        )

    def today(self):
        return self.local(timezone.now()).date()

    @property
    def openings(self) -> list[Opening]:
        return safe_parse_hours(self.opening_hours)

    @property
    def open_until(self) -> datetime | None:
        """When the site closes, on its own clock, if it is open now (an opening that
        began last night and runs past midnight counts); None when it is closed."""
        now = timezone.now()
        opening = open_at(self.openings, now, self.tz)
        if opening is None:
            return None
        return self.local(opening.current_or_next(now, self.tz)[1])

    @property
    def public_latitude(self):
        """Where the public may see the site: exact, or nowhere (camps)."""
        return self.latitude if self.show_exact_location else None

    @property
    def public_longitude(self):
        return self.longitude if self.show_exact_location else None


class Membership(models.Model):
    """A person's role at one site."""

    class Role(models.TextChoices):
        # Translators: a role at a site: the person who runs its shifts, stock and meals.
        LEAD = "lead", _("Lead")
        VOLUNTEER = "volunteer", _("Volunteer")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VOLUNTEER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="membership_once_per_site")
        ]
        ordering = ["site__name", "role"]

    def __str__(self) -> str:
        return gettext("%(person)s — %(role)s at %(site)s") % {
            "person": self.user,
            "role": self.get_role_display(),
            "site": self.site,
        }


INVITATION_LIFETIME = timedelta(days=7)


def invitation_digest(token: str) -> str:
    """What is stored of an invitation's secret: its SHA-256, never the secret itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def pending(self, now: datetime | None = None) -> InvitationQuerySet:
        """Not yet used, withdrawn or replaced, and not expired."""
        return self.filter(
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class Invitation(models.Model):
    """An email asking someone to join a site as a volunteer or a lead.

    The link in the email carries a secret token; only its digest is kept here
    (`token_digest`), so the table alone cannot be turned into working links.
    A link works once, until `expires_at`, and only while the person who sent
    it may still invite to the site (see commonpot.invitations).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.VOLUNTEER
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Withdrawn by a lead, or replaced by a newer invitation to the same address.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "email"], name="invitation_site_email")]

    def __str__(self) -> str:
        return gettext("%(email)s invited to %(site)s as %(role)s") % {
            "email": self.email,
            "site": self.site,
            "role": self.get_role_display().lower(),
        }

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.withdrawn_at is None
            and self.expires_at > timezone.now()
        )


class WorkerHeartbeat(models.Model):
    """When the background worker last ran its heartbeat task (one row)."""

    name = models.CharField(max_length=40, unique=True, default="worker")
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen:%Y-%m-%d %H:%M:%S}"


class MessageQuerySet(models.QuerySet):
    def for_site(self, site: Site) -> MessageQuerySet:
        return self.filter(site=site)

    def due_for_retry(self, now: datetime | None = None) -> MessageQuerySet:
        now = now or timezone.now()
        return self.filter(
            status__in=[Message.Status.QUEUED, Message.Status.RETRYING], next_attempt_at__lte=now
        )


class Message(models.Model):
    """One message Commonpot decided to send, and what became of it (the outbox).

    A message goes by one channel: email, or a text message (SMS) through the
    backend `SMS_URL` names (commonpot.sms). The same decision sent by both has
    two rows, the text message's key ending in ":sms".

    `key` names the decision ("reminder-24h:sign-up:41"). It is unique and
    written in the same transaction as the decision, so a job that runs twice,
    overlaps itself or dies halfway cannot decide — and so send — the same
    message twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Will retry")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")
        HELD = "held", _("Held back")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        PUSH = "push", _("Notification")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    to_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    to_email = models.EmailField(blank=True)
    # E.164, for a text message.
    to_phone = models.CharField(max_length=32, blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"filename": ..., "content": text, "mimetype": ...}]
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # What the sender wants to remember about the decision, e.g. the shift's
    # start time a reminder announced, to tell later whether it moved.
    meta = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A text message: the provider's id for it, and what its delivery report said
    # ("delivered", "undelivered (30003)"), from the provider's status callback.
    provider_id = models.CharField(max_length=64, blank=True)
    delivery_status = models.CharField(max_length=60, blank=True)
    delivery_status_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["site", "-created_at"], name="message_site_idx"),
            # The latest text to a number, which a reply answers (commonpot.sms_replies).
            models.Index(fields=["to_phone", "-sent_at"], name="message_phone_idx"),
            models.Index(fields=["provider_id"], name="message_provider_idx"),
        ]

    def __str__(self) -> str:
        to = self.to_phone if self.channel == self.Channel.SMS else self.to_email
        return gettext("%(kind)s to %(to)s: %(status)s") % {
            "kind": self.kind,
            "to": to or gettext("nobody"),
            "status": self.get_status_display(),
        }


class SmsOptOut(models.Model):
    """A number that answered STOP: no text message goes to it again, whoever it
    belongs to now (checked when a text is decided and again when it is sent)."""

    phone = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return gettext("%(phone)s opted out of text messages") % {"phone": self.phone}


class InboundSms(models.Model):
    """A text message someone sent us, and what we made of it.

    (provider, provider_id) is unique, so a provider that delivers the same
    webhook twice (they retry when we are slow) has it handled once.
    """

    provider = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=80)
    from_phone = models.CharField(max_length=32)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    # The latest text sent to that number, which the reply answers.
    in_reply_to = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_sms"
    )
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="inbound_sms_once")
        ]

    def __str__(self) -> str:
        return gettext("Text from %(phone)s: %(outcome)s") % {
            "phone": self.from_phone,
            "outcome": self.outcome or gettext("received"),
        }


class SmsPolicy(models.Model):
    """A site's limit on text messages: they cost money, so a site may cap them a month."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="sms_policy")
    monthly_cap = models.PositiveIntegerField(
        _("text messages a month"),
        null=True,
        blank=True,
        help_text=_(
            "At most this many text messages a calendar month for this site; "
            "the rest are held back and shown in the outbox. Empty: no limit."
        ),
    )

    def __str__(self) -> str:
        return gettext("Text messages at %(site)s") % {"site": self.site}

    @classmethod
    def for_site(cls, site: Site) -> SmsPolicy:
        """The site's row, or the defaults (no limit) when it has none yet."""
        return cls.objects.filter(site=site).first() or cls(site=site)


class PushSubscription(models.Model):
    """One browser (a phone, usually) that agreed to show Commonpot's notifications:
    the Web Push endpoint its push service gave it, and its keys for encrypting to it.
    A person may have several; each is removable, and one the push service says is
    gone (404 or 410) is deleted when a notification is sent to it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return gettext("%(browser)s of %(person)s") % {
            "browser": self.label or gettext("A browser"),
            "person": self.user,
        }

    def as_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
