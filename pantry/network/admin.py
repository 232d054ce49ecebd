from django.apps import apps

from commonpot.admin_tools import register_read_only

# Shown for inspection; offers, needs and transfers change only through their
# services, which keep quantities conserved across the network.
register_read_only(*apps.get_app_config("network").get_models())
