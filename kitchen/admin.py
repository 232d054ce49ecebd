from django.apps import apps

from commonpot.admin_tools import register_read_only

# Shown for inspection; changes go through the kitchen pages and services.
register_read_only(*apps.get_app_config("kitchen").get_models())
