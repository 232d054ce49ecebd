from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """Surplus offers, needs, matches and transfers between sites (part of the pantry)."""

    name = "pantry.network"
    label = "network"
    verbose_name = _("Network: surplus and transfers")

    def ready(self) -> None:
        from commonpot.registry import NavLink, SettingsSection, SiteTab, registry
        from pantry.network import (
            access,
            benchmark,
            benchmark_pages,
            demo,
            panels,
            reports,
            site_settings,
        )
        from pantry.network.forms import NetworkSettingsForm
        from pantry.network.models import Offer, Transfer
        from pantry.network.notifications import MESSAGE_KINDS
        from pantry.network.trace import TransferLinker

        registry.add_nav(NavLink(_("Network"), "network:board", access.in_network, order=30))
        # The group is the key of a heading of the site's tab bar (SITE_TAB_GROUPS).
        registry.add_site_tab(
            SiteTab(_("Surplus"), "network:site_surplus", order=30, group="Network")
        )
        registry.add_panel("public", panels.public_needs, order=20)
        registry.add_panel("lead", panels.lead_panel, order=25)
        registry.add_panel("coordinator", panels.coordinator_panel, order=20)
        registry.add_settings_section(
            SettingsSection(
                key="network",
                title=_("Matching offers to needs"),
                form_class=NetworkSettingsForm,
                save=site_settings.save_network_settings,
                order=20,
            )
        )
        registry.add_demo_seeder(demo.seed_network_surplus, order=60)
        registry.add_demo_seeder(demo.seed_demo_run, order=65)
        registry.add_benchmark("network", benchmark.run)
        registry.add_page_benchmark(benchmark_pages.seed)
        registry.add_report_section(reports.network_section, order=15)
        registry.add_hold_describer("offer", Offer.holds_in_words)
        registry.add_hold_describer("transfer", Transfer.holds_in_words)
        for kind, label in MESSAGE_KINDS.items():
            registry.add_message_kind(kind, label)
        registry.add_lot_linker(TransferLinker())
