from django.apps import apps
from django.contrib import admin

from commonpot.admin_tools import ReadOnlyAdmin, register_read_only
from pantry.federation.models import InstallKey, PartnerInvitation

# Shown for inspection; links, messages and transfers change only through their
# services. The install's private key and the invitations' digests are never shown.


@admin.register(InstallKey)
class InstallKeyAdmin(ReadOnlyAdmin):
    fields = ["public_key_pem", "created_at"]
    list_display = ["pk", "created_at"]


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(ReadOnlyAdmin):
    fields = ["created_by", "created_at", "expires_at", "used_at", "used_by"]
    list_display = ["pk", "created_at", "expires_at", "used_at"]


register_read_only(
    *[
        m
        for m in apps.get_app_config("federation").get_models()
        if m not in (InstallKey, PartnerInvitation)
    ]
)
