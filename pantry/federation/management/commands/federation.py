"""Partner networks from the command line: `manage.py federation deliver` sends
what waits in the outboxes now (the worker does it every minute), and
`manage.py federation status` lists the partners and what waits for each."""

from django.core.management.base import BaseCommand

from pantry.federation import delivery
from pantry.federation.models import Outgoing, Partner


class Command(BaseCommand):
    help = "Send waiting messages to partner networks now, or list the partners."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["deliver", "status"])

    def handle(self, *args, action: str, **options):
        if action == "deliver":
            result = delivery.deliver_all()
            self.stdout.write(
                f"sent: {result['sent']}, refused: {result['refused']}, failed: {result['failed']}"
            )
            return
        for partner in Partner.objects.order_by("name"):
            waiting = partner.outbox.filter(state=Outgoing.State.WAITING).count()
            refused = partner.outbox.filter(state=Outgoing.State.REFUSED).count()
            self.stdout.write(
                f"{partner.name} ({partner.url}): {partner.status}, "
                f"{waiting} waiting, {refused} refused, last received #{partner.last_in_seq}"
            )
