from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitchenConfig(AppConfig):
    name = "kitchen"
    verbose_name = _("Kitchen")

    def ready(self) -> None:
        from commonpot.registry import SiteTab, registry
        from kitchen import benchmark, benchmark_pages, demo, panels, reports
        from kitchen.cooling import describe_cooling_holds
        from kitchen.models import MealService
        from kitchen.trace import MealLinker
        from pantry.models import LotHold

        # `group` names a heading of commonpot.registry.SITE_TAB_GROUPS, as it is written there.
        registry.add_site_tab(SiteTab(_("Meals"), "kitchen:week", order=20, group="Meals"))
        registry.add_site_tab(SiteTab(_("Recipes"), "kitchen:recipes", order=21, group="Meals"))
        registry.add_panel("lead", panels.lead_panel, order=20)
        registry.add_demo_seeder(demo.seed_kitchen, order=30)
        registry.add_benchmark("kitchen", benchmark.run)
        registry.add_benchmark_step("cook_leftovers", benchmark.cook_leftovers)
        registry.add_page_benchmark(benchmark_pages.seed)
        registry.add_report_section(reports.section, order=30)
        registry.add_hold_describer("meal-service", MealService.holds_in_words)
        registry.add_lot_linker(MealLinker())
        registry.add_lot_hold_describer(LotHold.Cause.COOLING, describe_cooling_holds)
