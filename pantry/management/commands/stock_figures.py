from django.core.management.base import BaseCommand, CommandError

from commonpot.models import Site
from pantry import stockfigures


class Command(BaseCommand):
    help = (
        "Check each site's stock figures by category (what the network's dashboard "
        "shows) against the sum of its lots; with --rebuild, make them again from the lots."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Make every site's figures again from its lots (safe at any time).",
        )

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            stockfigures.rebuild()
            self.stdout.write("Stock figures made again from the lots.")
            return
        wrong = stockfigures.drift()
        if not wrong:
            self.stdout.write("Stock figures match the lots.")
            return
        names = dict(Site.objects.filter(pk__in={s for s, _c in wrong}).values_list("pk", "name"))
        for (site_id, category), (kept, summed) in sorted(wrong.items()):
            self.stdout.write(
                f"{names.get(site_id, site_id)} · {category}: kept {kept.grams} g, "
                f"{kept.held_grams} g held, {kept.unweighed_lots} unweighed lots; "
                f"the lots hold {summed.grams} g, {summed.held_grams} g held, "
                f"{summed.unweighed_lots} unweighed lots"
            )
        raise CommandError(
            "These stock figures differ from the lots: run "
            "`manage.py stock_figures --rebuild` to make them again."
        )
