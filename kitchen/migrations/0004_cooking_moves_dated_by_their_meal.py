"""Stock used or kept by a cooked meal happened on the meal's day (or, for a meal
recorded as cooked before its date, the day it was recorded)."""

from django.db import migrations


def date_cooking_by_meal(apps, schema_editor):
    StockMove = apps.get_model("pantry", "StockMove")
    MealService = apps.get_model("kitchen", "MealService")
    cooked = StockMove.objects.filter(reference__startswith="meal-service:").filter(
        kind__in=["cooked", "reversed"]
    )
    days = dict(
        MealService.objects.filter(status="cooked").values_list("pk", "date").iterator()
    )
    for pk, day in days.items():
        # Only the days that would move: a meal's moves usually fall on its day.
        meal_moves = cooked.filter(reference=f"meal-service:{pk}")
        meal_moves.filter(happened_on__gt=day).update(happened_on=day)


class Migration(migrations.Migration):
    dependencies = [
        ("kitchen", "0003_token_digest"),
        ("pantry", "0006_moves_know_the_day_they_happened"),
    ]

    operations = [migrations.RunPython(date_cooking_by_meal, migrations.RunPython.noop)]
