from django.core.management.base import BaseCommand, CommandError

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
            help="Fraction of the full data set to seed (for a quick look), 0 < scale <= 1.",
        )

    def handle(self, *args, area=None, list=False, scale=1.0, **options):
        if list or not area:
            for name in sorted(registry.benchmarks):
                self.stdout.write(name)
            return
        if area not in registry.benchmarks:
            known = ", ".join(sorted(registry.benchmarks)) or "none yet"
            raise CommandError(f"No benchmark called {area!r}. Known: {known}.")
        if not 0 < scale <= 1:
            raise CommandError("--scale must be above 0 and at most 1.")
        registry.benchmarks[area](stdout=self.stdout, scale=scale)
