"""Pickups at donors (a stop naming a donor; its lines name their item, as a donor's
food belongs to no shipment), and pickups of nothing ("took 0 of 40 kg")."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def name_each_lines_item(apps, schema_editor):
    StopLine = apps.get_model("network", "StopLine")
    ShipmentItem = apps.get_model("network", "ShipmentItem")
    StopLine.objects.filter(item__isnull=True).update(
        item=Subquery(
            ShipmentItem.objects.filter(pk=OuterRef("shipment_item_id")).values("item_id")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0007_pickup_runs'),
        ('pantry', '0013_waste_tokens'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='shipmentitem',
            name='shipment_item_positive',
        ),
        migrations.RemoveConstraint(
            model_name='stop',
            name='stop_at_a_site_unless_households',
        ),
        migrations.RemoveConstraint(
            model_name='transfer',
            name='transfer_quantity_positive',
        ),
        migrations.AddField(
            model_name='stop',
            name='donor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pantry.donor'),
        ),
        migrations.AddField(
            model_name='stopline',
            name='donation',
            field=models.ForeignKey(blank=True, help_text="A donor's food, once received at the donor's site.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pantry.donation'),
        ),
        migrations.AddField(
            model_name='stopline',
            name='item',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pantry.item'),
        ),
        migrations.RunPython(name_each_lines_item, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='stopline',
            name='item',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pantry.item'),
        ),
        migrations.AlterField(
            model_name='stopline',
            name='shipment_item',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stop_lines', to='network.shipmentitem'),
        ),
        migrations.AddConstraint(
            model_name='shipmentitem',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 0)), name='shipment_item_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='stop',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'households'), models.Q(('donor__isnull', True), ('site__isnull', False)), models.Q(('donor__isnull', False), ('kind', 'pickup'), ('site__isnull', True)), _connector='OR'), name='stop_at_a_site_or_a_donor_unless_households'),
        ),
        migrations.AddConstraint(
            model_name='transfer',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 0)), name='transfer_quantity_not_negative'),
        ),
    ]
