"""Each stock move keeps the day it happened beside the time it was typed in.

Existing moves get the day of the document they belong to where there is one
(a donation's day received, a distribution's day given), otherwise the site's
own day at the time the move was recorded (counts, waste, transfers); an undo
takes the day of the move it undoes. Cooking is dated by its meal in the
kitchen's migration that follows. The column becomes required in the next
migration: PostgreSQL does not alter a table in the transaction that updated it.
"""

from zoneinfo import ZoneInfo

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate


def fill_days(apps, schema_editor):
    StockMove = apps.get_model("pantry", "StockMove")
    Site = apps.get_model("commonpot", "Site")
    Donation = apps.get_model("pantry", "Donation")
    Distribution = apps.get_model("pantry", "Distribution")
    moves = StockMove.objects.all()
    zones = Site.objects.order_by().values_list("time_zone", flat=True).distinct()
    for zone in zones:
        # One statement per time zone, not per move: a food bank's ledger is large.
        moves.filter(lot__site__time_zone=zone).update(
            happened_on=TruncDate("at", tzinfo=ZoneInfo(zone))
        )
    moves.filter(donation__isnull=False).update(
        happened_on=Subquery(
            Donation.objects.filter(pk=OuterRef("donation_id")).values("received_on")[:1]
        )
    )
    moves.filter(distribution__isnull=False).update(
        happened_on=Subquery(
            Distribution.objects.filter(pk=OuterRef("distribution_id")).values("given_on")[:1]
        )
    )
    moves.filter(kind="reversed").update(
        happened_on=Subquery(
            StockMove.objects.filter(pk=OuterRef("reverses_id")).values("happened_on")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commonpot", "0006_site_service_id"),
        ("pantry", "0005_donation_imports_remember_their_file"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stockmove",
            name="at",
            field=models.DateTimeField(help_text="When this move was recorded."),
        ),
        migrations.AddField(
            model_name="stockmove",
            name="happened_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
    ]
