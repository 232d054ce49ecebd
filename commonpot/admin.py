from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonpot import opendata
from commonpot.admin_tools import register_read_only
from commonpot.models import (
    InboundSms,
    Invitation,
    Membership,
    Message,
    PushSubscription,
    Site,
    SmsOptOut,
    SmsPolicy,
    User,
    WorkerHeartbeat,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class CommonpotUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "is_coordinator", "is_active"]
    list_filter = ["is_coordinator", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = UserAdmin.fieldsets + (
        (
            "Commonpot",
            {
                "fields": [
                    "display_name",
                    "phone",
                    "remind_by_email",
                    "remind_by_sms",
                    "remind_by_push",
                    "reminder_times",
                    "weekly_digest",
                    "is_coordinator",
                ]
            },
        ),
    )


@admin.action(description=_("Submit the public profile to the Murmurations index"))
def submit_to_murmurations(modeladmin, request, queryset):
    for site in queryset:
        accepted, detail = opendata.submit_to_murmurations_index(site)
        level = messages.SUCCESS if accepted else messages.ERROR
        modeladmin.message_user(request, f"{site.name}: {detail}", level)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    actions = [submit_to_murmurations]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "city", "time_zone", "is_public", "is_active"]
    list_filter = ["kind", "is_public", "is_active"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "site", "role", "created_at"]
    list_filter = ["role", "site"]
    search_fields = ["user__display_name", "user__email", "site__name"]
    autocomplete_fields = ["user", "site"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "channel",
        "to_email",
        "to_phone",
        "subject",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind", "site"]
    search_fields = ["key", "to_email", "to_phone", "subject"]
    readonly_fields = [f.name for f in Message._meta.fields]


# Invitations change only through commonpot.invitations (the link's secret is a
# digest here; an edit could not make a working link anyway).
register_read_only(Invitation)
# Replies change only through commonpot.sms_replies; an opt-out is a person's own word.
register_read_only(InboundSms, SmsOptOut)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "label", "created_at", "last_sent_at"]
    search_fields = ["user__display_name", "user__email", "label"]
    readonly_fields = ["user", "endpoint", "p256dh", "auth", "created_at", "last_sent_at"]


@admin.register(SmsPolicy)
class SmsPolicyAdmin(admin.ModelAdmin):
    list_display = ["site", "monthly_cap"]
