from django.apps import AppConfig


class NetworkConfig(AppConfig):
    """Surplus offers, needs, matches and transfers between sites (part of the pantry)."""

    name = "pantry.network"
    label = "network"
    verbose_name = "Network: surplus and transfers"
