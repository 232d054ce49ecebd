"""Places where apps plug into the shared pages without the core importing them.

Dependencies point one way (commonpot <- pantry <- kitchen <- volunteers), so
the core home page cannot import an app's code. Each app registers its nav
links, site tabs, home panels, sections of a site's Settings page, demo data
and benchmarks from its AppConfig.ready().

Panels render on pages that belong to another app or to the core, which link
only their own stylesheet and commonpot.css: a panel's template uses the shared
classes of commonpot.css (`panel`, `plain`, `badge`, `meta`, ...), never its
own app's stylesheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.forms import BaseForm
    from django.http import HttpRequest

    from commonpot.models import Site, User


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    visible: Callable[[User], bool]
    order: int = 50


@dataclass(frozen=True)
class SiteTab:
    """A link on a site's management pages; the URL takes the site's slug.

    `group` is the heading it sits under (one of SITE_TAB_GROUPS): the bar shows the
    groups, and the tabs of the group of the page being shown, so none scrolls out
    of view however many apps add tabs. A tab with no group stands on its own."""

    label: str
    url_name: str
    order: int = 50
    group: str = ""


# The headings of a site's tab bar, in order (as SiteTab.group names them).
SITE_TAB_GROUPS = ("Food", "Meals", "People", "Network", "Settings")
# The same headings as the tab bar shows them, in the reader's language.
SITE_TAB_GROUP_LABELS = {
    "Food": _("Food"),
    "Meals": _("Meals"),
    "People": _("People"),
    "Network": _("Network"),
    "Settings": _("Settings"),
}


@dataclass(frozen=True)
class SettingsSection:
    """An app's part of a site's Settings page (and of the coordinator's Add a site).

    `form_class(data, site=site)` is the section's form; `site` is None while the
    site is being added. Field names are unique across all sections and the core
    form, so the page posts them side by side without prefixes. `save(site,
    **cleaned_data)` writes the section for the site and raises DomainError when
    it cannot. The page validates every section first, then saves the site and
    every section in one transaction (commonpot.services.update_site), so
    nothing is written unless all of it is.
    """

    key: str
    title: str
    form_class: type[BaseForm]
    save: Callable[..., Any]
    order: int = 50


# A panel returns (template name, context) or None when it has nothing to show.
Panel = Callable[["HttpRequest", "Site | None"], "tuple[str, dict[str, Any]] | None"]

# A hold describer takes the ids after its prefix in stock references
# ("offer:1", "meal-service:7") and says what each is in words, by id.
HoldDescriber = Callable[[list[int]], dict[int, str]]

# A lot-hold describer takes the open holds of one cause (pantry.LotHold) and says,
# by hold id, what each waits for now ("Cooling record of Chilli: waiting for 21 °C").
LotHoldDescriber = Callable[[list[Any]], dict[int, str]]

# Told of an accepted invitation (commonpot.invitations), with the account that
# took it up, inside the transaction that accepts it.
InvitationListener = Callable[[Any, "User"], None]
# (user, site) -> why they cannot leave the site yet ("" when nothing holds them).
LeaveCheck = Callable[["User", Any], str]
# (the text message replied to, "yes" or "no", now) -> the answer to text back.
# Raises DomainError (whose message is texted back) when the answer cannot be done.
SmsReplyHandler = Callable[[Any, str, Any], str]

# A slot filler is called with the object whose page offers the slot (a meal, a
# week of meals, a transfer) and answers like a panel: (template, context) or None.
SlotFiller = Callable[["HttpRequest", Any], "tuple[str, dict[str, Any]] | None"]

# Reads the measures ("metric" or "us") each of these sites chose, by site id (of a
# queryset of sites, only those whose choice is kept: see measures.sites_measures).
MeasuresReader = Callable[[Any], dict[int, str]]  # a list of sites, or a queryset of them


@dataclass
class Registry:
    nav: list[NavLink] = field(default_factory=list)
    site_tabs: list[SiteTab] = field(default_factory=list)
    panels: dict[str, list[tuple[int, Panel]]] = field(default_factory=dict)
    slots: dict[str, list[tuple[int, SlotFiller]]] = field(default_factory=dict)
    demo_seeders: list[tuple[int, Callable[..., None]]] = field(default_factory=list)
    benchmarks: dict[str, Callable[..., None]] = field(default_factory=dict)
    benchmark_steps: dict[str, Callable[..., Any]] = field(default_factory=dict)
    page_benchmarks: list[Callable[..., list[Any]]] = field(default_factory=list)
    report_sections: list[tuple[int, Callable[..., Any]]] = field(default_factory=list)
    settings_sections: list[SettingsSection] = field(default_factory=list)
    hold_describers: dict[str, HoldDescriber] = field(default_factory=dict)
    lot_hold_describers: dict[str, LotHoldDescriber] = field(default_factory=dict)
    # Where the food of a lot went and came from, beyond the pantry (pantry.trace.Linker).
    lot_linkers: list[Any] = field(default_factory=list)
    message_kinds: dict[str, str] = field(default_factory=dict)
    measures_reader: MeasuresReader | None = None
    site_rows: list[str] = field(default_factory=list)
    invitation_listeners: list[InvitationListener] = field(default_factory=list)
    leave_checks: list[LeaveCheck] = field(default_factory=list)
    sms_reply_handlers: dict[str, SmsReplyHandler] = field(default_factory=dict)

    def add_nav(self, link: NavLink) -> None:
        if link not in self.nav:
            self.nav.append(link)
            self.nav.sort(key=lambda n: n.order)

    def add_site_tab(self, tab: SiteTab) -> None:
        if tab not in self.site_tabs:
            self.site_tabs.append(tab)
            self.site_tabs.sort(key=lambda t: t.order)

    def add_panel(self, role: str, panel: Panel, order: int = 50) -> None:
        """role: "coordinator", "lead" (called once per led site), "volunteer" or
        "public" (a site's public page). Slots on an app's own pages: add_slot."""
        entries = self.panels.setdefault(role, [])
        if all(p is not panel for _, p in entries):
            entries.append((order, panel))
            entries.sort(key=lambda e: e[0])

    def add_slot(self, name: str, fill: SlotFiller, order: int = 50) -> None:
        """Fill a slot an app's page offers (kitchen.slots, pantry.network.slots name
        theirs): the page calls `fill(request, obj)` and renders what it returns."""
        entries = self.slots.setdefault(name, [])
        if all(f is not fill for _, f in entries):
            entries.append((order, fill))
            entries.sort(key=lambda e: e[0])

    def fillers(self, name: str) -> list[SlotFiller]:
        return [fill for _, fill in self.slots.get(name, [])]

    def add_demo_seeder(self, seeder: Callable[..., None], order: int = 50) -> None:
        if all(s is not seeder for _, s in self.demo_seeders):
            self.demo_seeders.append((order, seeder))
            self.demo_seeders.sort(key=lambda e: e[0])

    def add_benchmark(self, name: str, run: Callable[..., None]) -> None:
        self.benchmarks[name] = run

    def add_benchmark_step(self, name: str, step: Callable[..., Any]) -> None:
        """A step an app lends to the benchmarks of the apps to its left: the pantry's
        trace benchmark cooks food into a meal through the kitchen's "cook_leftovers"."""
        self.benchmark_steps[name] = step

    def add_page_benchmark(self, seed: Callable[..., list[Any]]) -> None:
        """seed(scale=, out=) makes the data and returns the app's pages to time
        (commonpot.benchmark_pages.Page); `manage.py benchmark pages` runs them all."""
        if all(s is not seed for s in self.page_benchmarks):
            self.page_benchmarks.append(seed)

    def add_report_section(self, build: Callable[..., Any], order: int = 50) -> None:
        """build(period: commonpot.reports.Period) -> commonpot.reports.Section | None"""
        if all(b is not build for _, b in self.report_sections):
            self.report_sections.append((order, build))
            self.report_sections.sort(key=lambda e: e[0])

    def add_settings_section(self, section: SettingsSection) -> None:
        if any(s.key == section.key for s in self.settings_sections):
            return
        taken = {name for s in self.settings_sections for name in s.form_class.base_fields}
        clash = taken & set(section.form_class.base_fields)
        if clash:
            raise ValueError(f"Settings fields named twice: {', '.join(sorted(clash))}.")
        self.settings_sections.append(section)
        self.settings_sections.sort(key=lambda s: s.order)

    def add_hold_describer(self, prefix: str, describe: HoldDescriber) -> None:
        """What stock held under "<prefix>:<id>" is held for, in a lead's words
        ("the offer of 20 kg of Bread to the network"); see describe_holds."""
        self.hold_describers[prefix] = describe

    def add_lot_hold_describer(self, cause: str, describe: LotHoldDescriber) -> None:
        """Let the app that knows a cause of holds on lots say why they keep their lots
        (the kitchen's cooling records); see pantry.holds.cause_texts."""
        self.lot_hold_describers[cause] = describe

    def add_lot_linker(self, linker: Any) -> None:
        """Let an app say which lots the food of a lot went into and came from
        (transfers, meals); see pantry.trace."""
        self.lot_linkers.append(linker)

    def describe_holds(self, references) -> dict[str, str]:
        """Each stock reference in words, with one query per kind of holder.

        A reference nobody describes (or whose record is gone) reads as what it
        was held for in general, never as the internal reference itself.
        """
        references = set(references)
        by_prefix: dict[str, list[int]] = {}
        for ref in references:
            prefix, _colon, pk = ref.partition(":")
            if prefix in self.hold_describers and pk.isdigit():
                by_prefix.setdefault(prefix, []).append(int(pk))
        words = {}
        for prefix, pks in by_prefix.items():
            for pk, text in self.hold_describers[prefix](sorted(pks)).items():
                words[f"{prefix}:{pk}"] = text
        planned = gettext("a planned use")
        return {ref: words.get(ref, planned) for ref in references}

    def add_site_row(self, related_name: str) -> None:
        """A one-to-one row beside Site (an app's per-site settings) that a site's
        pages read on most requests: loaded with the site, in the same query, where
        the site's pages find it (commonpot.permissions.site_for_lead)."""
        if related_name not in self.site_rows:
            self.site_rows.append(related_name)

    def set_measures_reader(self, read: MeasuresReader) -> None:
        """How commonpot.measures learns the measures a site chose (the app that
        keeps the choice sets this; one reader for the whole network)."""
        self.measures_reader = read

    def add_invitation_listener(self, listener: InvitationListener) -> None:
        """listener(invitation, user) runs when someone accepts an invitation, in the
        same transaction (the volunteers app hands a walk-in's hours to the account)."""
        if all(known is not listener for known in self.invitation_listeners):
            self.invitation_listeners.append(listener)

    def add_leave_check(self, check: LeaveCheck) -> None:
        """check(user, site) says what keeps a person at a site they want to leave
        (the volunteers app: shifts they are still down for there), or ""."""
        if all(known is not check for known in self.leave_checks):
            self.leave_checks.append(check)

    def add_sms_reply_handler(self, kind: str, handler: SmsReplyHandler) -> None:
        """What a YES or NO texted back to a message of `kind` does (the volunteers
        app: confirm or give up the place a reminder was about); see
        commonpot.sms_replies."""
        self.sms_reply_handlers[kind] = handler

    def add_message_kind(self, kind: str, label: str) -> None:
        """The outbox's name for an email kind ("volunteers.promoted": "Off the waitlist")."""
        self.message_kinds[kind] = label

    def message_kind_label(self, kind: str) -> str:
        if kind in self.message_kinds:
            return self.message_kinds[kind]
        # A kind nobody named yet still reads as words, not as a code.
        words = kind.rsplit(".", 1)[-1].replace("-", " ").replace("_", " ").strip()
        return words[:1].upper() + words[1:] if words else gettext("Email")


registry = Registry()
