from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommonpotConfig(AppConfig):
    name = "commonpot"
    verbose_name = _("Network")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.backends.signals import connection_created

        from commonpot import pagecache
        from commonpot.permissions import is_coordinator
        from commonpot.registry import NavLink, SiteTab, registry
        from commonpot.schedules import ensure_schedules

        # Django sends post_migrate once per installed app: this one is enough.
        post_migrate.connect(
            ensure_schedules, sender=self, dispatch_uid="commonpot.ensure_schedules"
        )
        if settings.PAGE_CACHE:
            connection_created.connect(pagecache.install, dispatch_uid="commonpot.pagecache")
        registry.add_nav(NavLink(_("Sites"), "site_directory", lambda user: True, order=10))
        registry.add_nav(NavLink(_("Map"), "site_map", lambda user: True, order=11))
        registry.add_nav(NavLink(_("Reports"), "network_report", is_coordinator, order=80))
        registry.add_site_tab(SiteTab(_("Overview"), "site_manage", order=0))
        registry.add_site_tab(SiteTab(_("People"), "site_people", order=90, group="People"))
        registry.add_site_tab(SiteTab(_("Reports"), "site_report", order=80, group="Settings"))
        registry.add_site_tab(SiteTab(_("Outbox"), "site_outbox", order=95, group="Settings"))
        registry.add_site_tab(SiteTab(_("Settings"), "site_edit", order=79, group="Settings"))

        from commonpot import benchmark_pages, demo, services, sms_replies
        from commonpot.forms import SmsPolicyForm
        from commonpot.registry import SettingsSection

        registry.add_settings_section(
            SettingsSection(
                key="commonpot-sms",
                title=_("Text messages"),
                form_class=SmsPolicyForm,
                save=services.save_sms_policy,
                order=45,
            )
        )
        registry.add_message_kind(sms_replies.REPLY_KIND, _("Answer to a text"))

        registry.add_benchmark("pages", benchmark_pages.run)
        registry.add_page_benchmark(benchmark_pages.seed)

        registry.add_demo_seeder(demo.seed_network, order=0)
