"""Read-only admin pages for tables that only services may change.

Stock moves, sign-ups and transfers keep invariants (ledger sums, capacity,
conservation) that a hand edit in the admin would break; the admin shows them
for inspection and repairs go through the app's own pages and services.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def register_read_only(*model_classes: type[models.Model]) -> None:
    for model in model_classes:
        if admin.site.is_registered(model):
            continue
        fields = [f.name for f in model._meta.fields]
        searchable = [f.name for f in model._meta.fields if isinstance(f, models.CharField)][:3]
        filters = [
            f.name for f in model._meta.fields if f.choices or isinstance(f, models.BooleanField)
        ][:4]
        attrs = {
            "list_display": fields[:7],
            "search_fields": searchable,
            "list_filter": filters,
            "list_select_related": True,
            "show_full_result_count": False,
        }
        admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), attrs))
