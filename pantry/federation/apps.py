from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    """Partner networks: another Commonpot install pairs with this one, and the two
    share surplus offers and needs and move food between them (part of the pantry)."""

    name = "pantry.federation"
    label = "federation"
    verbose_name = _("Partner networks")

    def ready(self) -> None:
        from commonpot.registry import registry
        from pantry.federation import panels
        from pantry.federation.models import PartnerTransfer

        registry.add_hold_describer("partner-transfer", PartnerTransfer.holds_in_words)
        registry.add_panel("lead", panels.lead_panel, order=26)
        from django.db.models.signals import post_save

        from pantry.network.models import Need, Offer

        post_save.connect(_offer_saved, sender=Offer, dispatch_uid="federation-offer")
        post_save.connect(_need_saved, sender=Need, dispatch_uid="federation-need")


def _offer_saved(sender, instance, raw=False, **kwargs) -> None:
    """A shared offer changed: its partners are told, in the same transaction (once
    the service posting it has completed it: `save_in_progress`)."""
    if getattr(instance, "save_in_progress", False):
        return
    if not raw and instance.share_with_partners:
        from pantry.federation import services

        services.offer_changed(instance)


def _need_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.share_with_partners:
        from pantry.federation import services

        services.need_changed(instance)
