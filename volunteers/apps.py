from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _forget_erased_person(sender, instance, **kwargs) -> None:
    # commonpot's erase_account cannot know about this app (dependencies point one
    # way), so the volunteers app listens for an erased account and lets go of it.
    if instance.erased_at is not None and not instance.is_active:
        from volunteers.people import forget_person

        forget_person(instance)


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from commonpot.registry import NavLink, SettingsSection, SiteTab, registry
        from kitchen.slots import MEAL, MEAL_WEEK
        from pantry.network.services.runs import RUN_DRIVERS
        from pantry.network.slots import TRANSFER
        from volunteers import (
            benchmark,
            benchmark_pages,
            demo,
            notifications,
            panels,
            reminders,
            reports,
            services,
            site_settings,
            sms_answers,
            views_sheets,
            walk_ins,
            watches,
        )
        from volunteers.forms import FairRulesForm, RemindersAndSheetForm

        # Translators: "shifts" are volunteers' time slots at a site (a kitchen, a pantry).
        registry.add_nav(NavLink(_("Shifts"), "volunteers:board", lambda user: True, order=20))
        registry.add_nav(
            NavLink(_("My shifts"), "volunteers:my_shifts", lambda u: u.is_authenticated, order=21)
        )
        registry.add_site_tab(
            SiteTab(_("Shifts"), "volunteers:site_shifts", order=40, group="People")
        )
        registry.add_site_tab(SiteTab(_("Rotas"), "volunteers:rotas", order=41, group="People"))
        registry.add_site_tab(
            SiteTab(_("Volunteers"), "volunteers:people", order=42, group="People")
        )
        registry.add_panel("volunteer", panels.volunteer_panel, order=10)
        registry.add_panel("lead", panels.lead_panel, order=30)
        registry.add_panel("coordinator", panels.coordinator_panel, order=30)
        registry.add_panel("public", panels.public_site_panel, order=30)
        registry.add_slot(MEAL, panels.meal_staffing)
        registry.add_slot(MEAL_WEEK, panels.meal_week_staffing)
        registry.add_slot(TRANSFER, panels.transfer_driver)
        registry.add_slot(RUN_DRIVERS, panels.run_driver_ids)
        registry.add_settings_section(
            SettingsSection(
                key="volunteers",
                title=_("Shift reminders, sheets and attendance"),
                form_class=RemindersAndSheetForm,
                save=site_settings.save_reminders_and_sheet,
                order=40,
            )
        )
        registry.add_settings_section(
            SettingsSection(
                key="volunteers-fair",
                title=_("Fair rules for shifts"),
                form_class=FairRulesForm,
                save=site_settings.save_fair_rules,
                order=41,
            )
        )
        registry.add_demo_seeder(demo.seed_volunteers, order=40)
        for kind in (reminders.REMINDER, reminders.CHANGE):
            registry.add_sms_reply_handler(kind, sms_answers.answer_reminder)
        # After the kitchen's meals (30) and the network's surplus (60).
        registry.add_demo_seeder(demo.link_demo_meal_and_transfer, order=70)
        registry.add_demo_seeder(demo.seed_people_features, order=80)
        registry.add_benchmark("shifts", benchmark.run)
        registry.add_report_section(reports.volunteers_section, order=50)
        registry.add_site_tab(
            SiteTab(_("Shift sheets"), "volunteers:sheets", order=43, group="People")
        )
        registry.add_panel("volunteer", views_sheets.schedule_panel, order=12)
        registry.add_benchmark("reminders", benchmark.run_reminders)
        registry.add_page_benchmark(benchmark_pages.seed)
        for kind, label in {
            **notifications.MESSAGE_KINDS,
            **reminders.MESSAGE_KINDS,
            **watches.MESSAGE_KINDS,
        }.items():
            registry.add_message_kind(kind, label)
        registry.add_invitation_listener(walk_ins.hand_over_hours)
        registry.add_leave_check(services.still_down_for)
        post_save.connect(
            _forget_erased_person,
            sender=get_user_model(),
            dispatch_uid="volunteers.forget_erased_person",
        )
