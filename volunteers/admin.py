from django.apps import apps

from commonpot.admin_tools import register_read_only

# Shown for inspection; changes go through the volunteers pages and services.
register_read_only(*apps.get_app_config("volunteers").get_models())
