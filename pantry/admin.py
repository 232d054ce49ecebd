from django.apps import apps

from commonpot.admin_tools import register_read_only

# Shown for inspection; the ledger changes only through the pantry's pages and
# services (a hand edit would break on-hand = sum of moves).
register_read_only(*apps.get_app_config("pantry").get_models())
