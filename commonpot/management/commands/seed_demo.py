from django.core.management.base import BaseCommand

from commonpot.demo import DEMO_PASSWORD, DemoNetwork
from commonpot.models import Site
from commonpot.registry import registry


class Command(BaseCommand):
    help = "Build the demo network: sites, people, food and shifts. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds sites (used by `make run`).",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Site.objects.exists():
            self.stdout.write("The database already holds a network; leaving it as it is.")
            return
        network = DemoNetwork()
        for _, seeder in registry.demo_seeders:
            seeder(network, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(network.sites)} sites. Log in as coordinator, "
                f"lead or volunteer with the password {DEMO_PASSWORD!r}."
            )
        )
