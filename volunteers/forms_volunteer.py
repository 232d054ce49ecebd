"""Forms of a volunteer's own pages: an hours certificate, and watching a site or role."""

from __future__ import annotations

from django import forms

from commonpot.dates import DayField
from commonpot.models import Site, User
from volunteers import certificates, watches
from volunteers.forms import DATE
from volunteers.models import ShiftRole


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return obj.name


class CertificateForm(forms.Form):
    """Which site and which days; the default is the last twelve months."""

    site = SiteChoiceField(queryset=Site.objects.none(), empty_label=None)
    starts_on = DayField(label="From", widget=DATE)
    ends_on = DayField(label="To", widget=DATE, help_text="Both days are included.")

    def __init__(self, *args, volunteer: User, **kwargs):
        super().__init__(*args, **kwargs)
        sites = certificates.certificate_sites(volunteer)
        self.fields["site"].queryset = sites
        first = sites.first()
        self.fields["site"].initial = first
        self.fields["starts_on"].initial, self.fields["ends_on"].initial = (
            certificates.default_period(first)
        )


class WatchForm(forms.Form):
    site = SiteChoiceField(queryset=Site.objects.none(), empty_label=None)
    role = forms.ModelChoiceField(
        queryset=ShiftRole.objects.none(),
        required=False,
        empty_label="Any role",
        help_text="Roles of every site you can see; choose one of the site you chose.",
    )
    hours_before = forms.TypedChoiceField(
        label="Tell me when it is still short this long before it starts",
        choices=watches.HOURS_CHOICES,
        coerce=int,
        initial=24,
    )

    def __init__(self, *args, volunteer: User, **kwargs):
        super().__init__(*args, **kwargs)
        sites = watches.sites_to_watch(volunteer)
        self.fields["site"].queryset = sites
        role = self.fields["role"]
        role.queryset = (
            ShiftRole.objects.filter(is_active=True, site__in=sites)
            .select_related("site")
            .order_by("site__name", "name")
        )
        role.label_from_instance = lambda r: f"{r.name} at {r.site.name}"

    def clean(self):
        data = super().clean()
        site, role = data.get("site"), data.get("role")
        if site and role and role.site_id != site.pk:
            self.add_error("role", f"{role.name} is a role at {role.site.name}, not {site.name}.")
        return data
