from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PantryConfig(AppConfig):
    name = "pantry"

    def ready(self) -> None:
        from commonpot.permissions import is_coordinator, is_lead
        from commonpot.registry import NavLink, SettingsSection, SiteTab, registry
        from pantry import (
            benchmark,
            benchmark_pages,
            benchmark_reports,
            demo,
            panels,
            reports,
            site_settings,
        )
        from pantry.forms import DateSettingsForm, PantrySettingsForm
        from pantry.services.equipment import MESSAGE_KINDS
        from pantry.services.recalls import MESSAGE_KINDS as RECALL_KINDS

        registry.add_nav(
            NavLink(
                _("Food catalog"),
                "pantry:items",
                lambda user: is_coordinator(user) or is_lead(user),
                order=40,
            )
        )
        registry.add_nav(
            NavLink(
                _("Recalls"),
                "pantry:recalls",
                lambda user: is_coordinator(user) or is_lead(user),
                order=45,
            )
        )
        # The group is a key (SITE_TAB_GROUPS): the tab bar puts its heading in words.
        registry.add_site_tab(SiteTab(_("Stock"), "pantry:stock", order=10, group="Food"))
        registry.add_site_tab(SiteTab(_("Donations"), "pantry:donations", order=11, group="Food"))
        registry.add_site_tab(
            SiteTab(_("Give out"), "pantry:distributions", order=12, group="Food")
        )
        registry.add_site_tab(SiteTab(_("Waste"), "pantry:waste", order=13, group="Food"))
        registry.add_site_tab(SiteTab(_("Counts"), "pantry:counts", order=14, group="Food"))
        registry.add_site_tab(
            SiteTab(_("Temperatures"), "pantry:temperatures", order=15, group="Food")
        )
        for kind, label in {**MESSAGE_KINDS, **RECALL_KINDS}.items():
            registry.add_message_kind(kind, label)
        registry.add_panel("lead", panels.lead_panel, order=10)
        registry.add_panel("lead", panels.lead_checks_panel, order=11)
        registry.add_panel("lead", panels.lead_recall_panel, order=5)
        registry.add_panel("coordinator", panels.coordinator_recall_panel, order=5)
        registry.add_panel("volunteer", panels.volunteer_checks_panel, order=15)
        registry.add_panel("coordinator", panels.coordinator_panel, order=10)
        registry.add_settings_section(
            SettingsSection(
                key="pantry",
                title=_("Storage, measures and paper"),
                form_class=PantrySettingsForm,
                save=site_settings.save_pantry_settings,
                order=10,
            )
        )
        registry.add_settings_section(
            SettingsSection(
                key="dates",
                title=_("Days past best-before food may still be given out"),
                form_class=DateSettingsForm,
                save=site_settings.save_date_settings,
                order=11,
            )
        )
        registry.set_measures_reader(site_settings.measures_of)
        # Storage areas, paper and measures are read on most of a site's pages.
        registry.add_site_row("pantry_settings")
        registry.add_demo_seeder(demo.seed_pantry, order=10)
        registry.add_benchmark("pantry", benchmark.run)
        registry.add_benchmark("reports", benchmark_reports.run)
        registry.add_page_benchmark(benchmark_pages.seed)
        # An item's category or weight may change: the stock figures of the sites
        # holding it are made again (whoever saves it: the catalog, the admin).
        from django.db.models.signals import post_save

        from pantry.models import Item
        from pantry.stockfigures import item_saved

        post_save.connect(item_saved, sender=Item, dispatch_uid="pantry.stockfigures.item")
        registry.add_report_section(reports.food_section, order=10)
        registry.add_report_section(reports.safety_section, order=40)
