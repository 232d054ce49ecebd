from __future__ import annotations

from collections.abc import Iterable, Sequence

import django_filters
import phonenumbers
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.db import connections
from django.db.models import Q
from django.forms.formsets import BaseFormSet
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from commonpot.errors import DomainError
from commonpot.models import Membership, Site, SmsPolicy, User

# (line index from 0, field name or None, message), as a service's LineErrors lists them.
LineError = tuple[int, str | None, str]


def normalise_phone(raw: str) -> str:
    """A phone number in international (E.164) form, or a ValidationError."""
    raw = raw.strip()
    if not raw:
        return ""
    region = getattr(settings, "PHONE_REGION", "GB")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    # "Possible" rather than "valid": numbering plans change faster than the
    # library, and a wrong refusal stops someone signing up.
    if number is None or not phonenumbers.is_possible_number(number):
        raise forms.ValidationError(
            _(
                "This does not look like a phone number. Use digits, with a country code "
                "such as +44 or +1 if it is not a local number."
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ModelMultipleIdsField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id no database column can hold.

    Django looks the chosen ids up with `pk__in`; a 20-digit "id" from an edited
    form makes SQLite raise OverflowError (a 500) instead of "not one of the
    choices". Single choices (ModelChoiceField) are safe: Django answers an exact
    lookup past the column's range with no rows. Use it for every multiple choice
    of records (`Meta.field_classes` in a ModelForm).
    """

    def _check_values(self, value):
        field = self.queryset.model._meta.pk
        if self.to_field_name:
            field = self.queryset.model._meta.get_field(self.to_field_name)
        internal = field.get_internal_type()
        if internal.endswith(("IntegerField", "AutoField")):
            low, high = connections[self.queryset.db].ops.integer_field_range(internal)
            for raw in value:
                try:
                    number = int(str(raw).strip())
                except ValueError:
                    continue  # Django's own check names it
                if (low is not None and number < low) or (high is not None and number > high):
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": str(raw)[:30]},
                    )
        return super()._check_values(value)


class LongSelect(forms.Select):
    """A `<select>` of many plain options (the ~600 time zones), written in one pass.

    Django's Select renders each option through a template of its own: 24 ms of
    the site form's 27. The HTML is the same (tests/commonpot/test_site_settings.py
    compares them); groups of options are not supported.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(label)}</option>"
            for key, label in self.choices
        )
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308 - escaped above


# The most sites a site list offers as a <select>; with more (a network of hundreds
# of sites), a SiteSearchInput instead; and at most SUGGESTED suggestions in any
# SuggestInput (sites, items).
SITES_LISTED = 40
SUGGESTED = 12


def typed(request: HttpRequest) -> str:
    """What a SuggestInput sent: its value alone, under its own name (hx-params)."""
    return next(iter(request.GET.values()), "")[:60].strip()


def suggestions(request: HttpRequest, options) -> TemplateResponse:
    """The answer to a SuggestInput: <option>s of (value, label) for its datalist."""
    return TemplateResponse(request, "commonpot/_suggestions.html", {"options": options})


def site_suggestions(request: HttpRequest, sites) -> TemplateResponse:
    """The answer to a SiteSearchInput: the first few of `sites`, by name, whose name
    holds what is typed (or whose slug starts so)."""
    text = typed(request)
    if text:
        sites = sites.filter(Q(name__icontains=text) | Q(slug__istartswith=text))
    return suggestions(
        request, sites.order_by("name", "slug").values_list("slug", "name")[:SUGGESTED]
    )


def first_sites(choices) -> list:
    """(key, label) rows of a values_list query, read no further than list_sites
    needs to tell a list from a box."""
    return list(choices[: SITES_LISTED + 1])


def list_or_box(field: forms.ModelChoiceField, choices: list, box: forms.Widget, most: int) -> bool:
    """Offer `choices` ((key, label)) as the options of `field`'s <select>; past
    `most` of them, `box` (a SuggestInput) instead, so that the page stays small
    however long the list. True when it is the box."""
    if len(choices) > most:
        field.widget = box
        return True
    field.widget.choices = [("", field.empty_label), *choices]
    return False


def list_sites(field: forms.ModelChoiceField, choices: list, suggest_url: str) -> None:
    """`list_or_box` for sites (first_sites, or the rows a view has loaded): past
    SITES_LISTED, a SiteSearchInput asking `suggest_url`. The box takes a site by
    its slug (what a suggestion enters, and what it shows for a site already
    chosen) or by its whole name."""
    if list_or_box(field, choices, SiteSearchInput(suggest_url), SITES_LISTED):
        field.to_field_name = "slug"


class SuggestInput(forms.TextInput):
    """A text box over a `<datalist>` that the server fills (htmx) from `suggest_url`
    with the few choices that hold what is typed, for a list too long to send
    whole (a network's sites, a catalog's items). Only the box's own value is
    sent, under its name, and not into the address bar. Without JavaScript the
    list stays empty and the whole name is typed."""

    placeholder = None

    def __init__(self, suggest_url: str, attrs=None):
        self.suggest_url = suggest_url
        super().__init__(attrs)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        list_id = f"{final.get('id') or name}-suggestions"
        final.update(
            {
                "type": self.input_type,
                "name": name,
                "list": list_id,
                "autocomplete": "off",
                "hx-get": str(self.suggest_url),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": f"#{list_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                # Only what is typed, not the rest of the form around it; and not
                # into the address bar, as the form's own requests are.
                "hx-params": name,
                "hx-push-url": "false",
            }
        )
        if self.placeholder:
            final["placeholder"] = str(self.placeholder)
        if value not in (None, ""):
            final["value"] = self.format_value(value)
        return format_html('<input{}><datalist id="{}"></datalist>', flatatt(final), list_id)


class SiteSearchInput(SuggestInput):
    """A site typed or picked from suggestions, for a network too large for one
    `<select>`. Each suggestion's value is the site's short name (its slug), shown
    beside its name; `SiteChoiceField` also takes a site's whole name typed out."""

    input_type = "search"
    placeholder = _("Type a site's name")


class BoxChoiceField(forms.ModelChoiceField):
    """A model choice that also takes what a person typed (in a box, SuggestInput,
    or by hand in an address): `named` finds the choices it may mean; one is taken,
    none or several said (in a list's own words when it is a list)."""

    nobody: str  # what to say when `named` finds none, and when it finds several
    several: str

    def named(self, text: str) -> list:
        raise NotImplementedError

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as refused:
            not_one = refused
        text = str(value).strip()
        if not text:
            return None  # only spaces: nothing chosen (refused if the field is required)
        # Typed in a box, or in an address by hand (a bookmark's ?site=Northside Pantry).
        named = self.named(text)
        if len(named) == 1:
            return named[0]
        if not isinstance(self.widget, SuggestInput):
            raise not_one  # a list's own message: its choice was not one of its options
        raise forms.ValidationError(
            self.several if named else self.nobody, code="invalid_choice", params={"name": text}
        )


class SiteChoiceField(BoxChoiceField):
    """A site by its key (its slug, or its number in a list of a form), or by its
    whole name typed out (any case) when no other site of the choices has that name."""

    nobody = _("No site is called “%(name)s”: pick one from the suggestions.")
    several = _("More than one site is called “%(name)s”: pick one from the suggestions.")

    def named(self, text: str) -> list:
        return list(self.queryset.filter(name__iexact=text)[:2])


class SiteListsMixin:
    """For a FilterSet whose site fields (`site_lists`, by slug) list their sites
    as options, or past SITES_LISTED a box asking `sites_suggested` (list_sites):
    worked out once per form, from `listed_sites`."""

    site_lists: tuple[str, ...] = ("site",)
    sites_suggested = "network:sites_suggested"

    def listed_sites(self, name: str, field: forms.ModelChoiceField) -> list:
        """(slug, label) of the sites `name` lists: by default its every choice."""
        return first_sites(field.queryset.order_by("name").values_list("slug", "name"))

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_sites_listed", False):
            for name in self.site_lists:
                field = form.fields[name]
                choices = self.listed_sites(name, field)
                list_sites(field, choices, reverse(self.sites_suggested))
            form._sites_listed = True
        return form


class SiteFilter(django_filters.ModelChoiceFilter):
    """A filter by site: by its slug, or by its whole name (`SiteChoiceField`)."""

    field_class = SiteChoiceField


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        return normalise_phone(super().clean(value) or "")


class NewPasswordForm(forms.Form):
    """A form that makes an account: the password twice, checked against the
    person it will belong to (`account`)."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def account(self, data: dict) -> User:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.account(data))
            except forms.ValidationError as e:
                self.add_error("password1", e)
        return data


class SignUpForm(NewPasswordForm):
    field_order = ["name", "email", "phone", "password1", "password2"]

    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = PhoneField(
        label=_("Phone"),
        help_text=_("Optional. Only the leads of sites where you volunteer can see it."),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "An account with this email address already exists. Log in, or reset "
                    "your password if you have forgotten it."
                )
            )
        return email

    def account(self, data: dict) -> User:
        email = data.get("email", "")
        return User(username=email, email=email, display_name=data.get("name", ""))


class ProfileForm(forms.ModelForm):
    phone = PhoneField(
        label=_("Phone"), help_text=_("Only the leads of sites where you volunteer can see it.")
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As my browser says"))] + list(settings.LANGUAGES),
        help_text=_("For these pages, and the emails, text messages and calendar we send you."),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "email",
            "phone",
            "remind_by_email",
            "remind_by_sms",
            "remind_by_push",
            "reminder_times",
            "weekly_digest",
            "language",
        ]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "reminder_times": forms.RadioSelect,
        }
        labels = {
            "remind_by_email": _("Remind me by email"),
            "remind_by_sms": _("Remind me by text message"),
            "remind_by_push": _("Remind me by a notification on my phone"),
            "reminder_times": _("When"),
        }
        help_texts = {
            "remind_by_sms": _(
                # Translators: YES, NO and STOP are the words a text message answers
                # with; keep them in English, as the replies are read in English.
                "To the phone number above. Reply YES to say you are coming, "
                "NO to give up your place, STOP to end all texts."
            ),
            "remind_by_email": _("Untick them all to get no reminders or change notices."),
            "remind_by_push": _("On each phone where you turned notifications on (below)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The account's column may be blank (a walk-in's has none), but a person's
        # own profile needs one: say so on the label, not only after saving.
        email = self.fields["email"]
        email.required = True
        email.error_messages["required"] = _("We need an email address to reach you.")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if not email:
            raise forms.ValidationError(_("We need an email address to reach you."))
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account uses this email address."))
        return email

    def clean(self):
        data = super().clean()
        if data.get("remind_by_sms") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Give a mobile number to get text messages."))
        return data


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type your password to confirm."),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class SiteForm(forms.ModelForm):
    """A site's identity, place, time zone, contact and visibility. Each app adds
    its own section to the page (commonpot.registry.SettingsSection)."""

    contact_phone = PhoneField(label=_("Contact phone"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Site
        fields = [
            "name",
            "slug",
            "kind",
            "description",
            "address",
            "city",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "show_exact_location",
            "time_zone",
            "language",
            "is_public",
            "contact_phone",
            "contact_email",
            "website",
            "opening_hours",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "opening_hours": forms.Textarea(attrs={"rows": 4}),
            "time_zone": LongSelect,
        }
        # The model's fields without a verbose name: their labels, to translate.
        labels = {
            "name": _("Name"),
            "slug": _("Slug"),
            "kind": _("Kind"),
            "description": _("Description"),
            "address": _("Address"),
            "city": _("City"),
            "postal_code": _("Postal code"),
            "country": _("Country"),
            "latitude": _("Latitude"),
            "longitude": _("Longitude"),
            "show_exact_location": _("Show exact location"),
            "time_zone": _("Time zone"),
            "contact_email": _("Contact email"),
        }
        help_texts = {
            # Translators: write the examples with your language's day names
            # (short or full): they are read in any language Commonpot speaks.
            "opening_hours": _(
                "One line each: days, times, then what it is, days in your language or in "
                "English. For example 'Mon-Fri 10:00-16:00', 'Daily 18:00-19:30 Dinner' or "
                "'Fri,Sat 22:00-06:00 Night kitchen': a closing time before the opening time "
                "is the next morning, and 24:00 is midnight."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (a form from before it was asked), the language stays.
        self.fields["language"].required = False

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or self.instance.language or settings.LANGUAGE_CODE


class SiteSettingsForm(SiteForm):
    """What a lead may change about their own site (not its address in URLs)."""

    class Meta(SiteForm.Meta):
        fields = [f for f in SiteForm.Meta.fields if f != "slug"]


class SettingsSectionForm(forms.ModelForm):
    """An app's section of a site's Settings page: a form on the app's one-to-one
    settings row (a model with `for_site(site)`), or on its defaults while the
    site is being added (`site=None`)."""

    def __init__(self, data=None, *, site: Site | None):
        model = self._meta.model
        super().__init__(data, instance=model() if site is None else model.for_site(site))


class SmsPolicyForm(SettingsSectionForm):
    """The site's monthly limit on text messages, as a section of its Settings page."""

    class Meta:
        model = SmsPolicy
        fields = ["monthly_cap"]
        widgets = {"monthly_cap": forms.NumberInput(attrs={"inputmode": "numeric"})}


class MemberRoleForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), help_text=_("The person must already have an account.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("Nobody has an account with this email address. Ask them to sign up first.")
            )
        return user


class InvitationForm(forms.Form):
    """Invite someone by email to a site; only coordinators are offered "Lead"."""

    email = forms.EmailField(
        label=_("Their email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("They get a link that works once, for 7 days."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("So the email can greet them."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.VOLUNTEER
    )

    def __init__(self, *args, may_invite_leads: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_invite_leads:
            # Only the choice shown: a lead role posted anyway reaches the service,
            # which refuses it with the reason.
            self.fields["role"].widget.choices = [
                (Membership.Role.VOLUNTEER, Membership.Role.VOLUNTEER.label)
            ]


class AcceptInvitationForm(NewPasswordForm):
    """The short account form an invitation lands on: the email is the invited one."""

    field_order = ["name", "password1", "password2"]

    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Tell us your name.")},
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def account(self, data: dict) -> User:
        return User(username=self.email, email=self.email, display_name=data.get("name", ""))


# --- Errors on forms ----------------------------------------------------------------


def show_error(form: forms.Form, error: DomainError | forms.ValidationError) -> None:
    """Put a service's refusal beside the field it names, or above the form.

    A DomainError names at most one field; a ValidationError may carry a dict of
    them. A field the form does not have becomes a message for the whole form,
    so nothing a service says is ever dropped.
    """
    if isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    form.add_error(None, error)


def show_line_errors(line_forms: Sequence[forms.Form], errors: Iterable[LineError]) -> None:
    """Put each (line index, field, message) on the line form it came from."""
    for index, field, message in errors:
        line = line_forms[index]
        line.add_error(field if field in line.fields else None, message)


def has_errors(*forms_used: object) -> bool:
    """Was anything here submitted and refused? Takes forms, formsets and None."""
    for used in forms_used:
        if used is None or not getattr(used, "is_bound", False):
            continue
        if isinstance(used, BaseFormSet):
            if used.non_form_errors() or any(f.errors for f in used.forms):
                return True
        elif used.errors:
            return True
    return False


def form_status(*forms_used: object) -> int:
    """The one way to answer a post: 400 when a form on the page was refused.

    A refusal is not a success: the status says so to scripts, tests and
    phones replaying a queue, while a person sees the same page with the
    messages beside the fields (htmx is configured to swap 400s; base.html).
    """
    return 400 if has_errors(*forms_used) else 200
