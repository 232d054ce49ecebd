"""Forms of a volunteer's own pages: an hours certificate, and watching a site or role."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import DayField
from commonpot.models import Site, User
from volunteers import certificates, watches
from volunteers.forms import DATE, role_at_site
from volunteers.models import ShiftRole


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return obj.name


class CertificateForm(forms.Form):
    """Which site and which days; the default is the last twelve months."""

    site = SiteChoiceField(
        label=gettext_lazy("Site"), queryset=Site.objects.none(), empty_label=None
    )
    starts_on = DayField(label=gettext_lazy("From"), widget=DATE)
    ends_on = DayField(
        label=gettext_lazy("To"), widget=DATE, help_text=gettext_lazy("Both days are included.")
    )

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
    site = SiteChoiceField(
        label=gettext_lazy("Site"), queryset=Site.objects.none(), empty_label=None
    )
    role = forms.ModelChoiceField(
        label=gettext_lazy("Role"),
        queryset=ShiftRole.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any role"),
        help_text=gettext_lazy(
            "Roles of every site you can see; choose one of the site you chose."
        ),
    )
    hours_before = forms.TypedChoiceField(
        label=gettext_lazy("Tell me when it is still short this long before it starts"),
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
        role.label_from_instance = role_at_site

    def clean(self):
        data = super().clean()
        site, role = data.get("site"), data.get("role")
        if site and role and role.site_id != site.pk:
            self.add_error(
                "role",
                _("%(role)s is a role at %(role_site)s, not %(site)s.")
                % {"role": role.name, "role_site": role.site.name, "site": site.name},
            )
        return data
