from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

from commonpot.registry import registry


class Command(BaseCommand):
    help = "Measure one area of Commonpot and print `name: value` lines."

    def add_arguments(self, parser):
        parser.add_argument("area", help="What to measure (see --list).", nargs="?")
        parser.add_argument("--list", action="store_true", help="List the areas.")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Share of the full data set to seed: 0.05 for a quick look, up to 10 "
            "(`pages --scale 10` is that benchmark's large set).",
        )
        parser.add_argument(
            "--requests",
            type=int,
            help="pages only: requests timed per page (default 200, at least 20).",
        )
        parser.add_argument(
            "--only", help="pages only: time just the pages whose name contains this."
        )

    def handle(self, *args, area=None, list=False, scale=1.0, requests=None, only=None, **options):
        if list or not area:
            for name in sorted(registry.benchmarks):
                self.stdout.write(name)
            return
        if area not in registry.benchmarks:
            known = ", ".join(sorted(registry.benchmarks)) or "none yet"
            raise CommandError(f"No benchmark called {area!r}. Known: {known}.")
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        # Only what was given: each benchmark keeps its own defaults.
        extra = {k: v for k, v in (("requests", requests), ("only", only)) if v is not None}
        if extra and area != "pages":
            raise CommandError("--requests and --only are for the pages benchmark.")
        if requests is not None and requests < 20:
            raise CommandError("--requests must be at least 20.")
        if area == "pages":
            registry.benchmarks[area](stdout=self.stdout, scale=scale, **extra)
            return
        # The areas' own figures are of pages made afresh and the queries that make
        # them; the pages benchmark times kept pages beside made ones.
        with override_settings(PAGE_CACHE=False):
            registry.benchmarks[area](stdout=self.stdout, scale=scale, **extra)
