from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pantry", "0006_moves_know_the_day_they_happened")]

    operations = [
        migrations.AlterField(
            model_name="stockmove",
            name="happened_on",
            field=models.DateField(
                help_text="The day it happened, by the site's own clock (what reports count by)."
            ),
        ),
        migrations.AddIndex(
            model_name="stockmove",
            index=models.Index(fields=["happened_on"], name="move_happened_on"),
        ),
    ]
