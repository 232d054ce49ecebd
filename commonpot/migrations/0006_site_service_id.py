"""Each site keeps its open-data service id, so a look-up by id is one indexed query.

A site already published keeps the id it was published with (derived from the
install's SITE_URL and the site's number); new sites get a random one.
"""

import uuid

from django.conf import settings
from django.db import migrations, models


def keep_published_ids(apps, schema_editor):
    Site = apps.get_model("commonpot", "Site")
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)
    for site in Site.objects.only("pk"):
        site.service_id = uuid.uuid5(namespace, f"site:{site.pk}:service")
        site.save(update_fields=["service_id"])


class Migration(migrations.Migration):
    dependencies = [("commonpot", "0005_site_settings_move_to_apps")]

    operations = [
        migrations.AddField(
            model_name="site",
            name="service_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(keep_published_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="site",
            name="service_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
