from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from commonpot import (
    views,
    views_language,
    views_offline,
    views_public,
    views_push,
    views_reports,
    views_sms,
)

accounts = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("profile/", views.profile, name="profile"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("delete/", views.delete_account, name="delete_account"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", views_offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", views_offline.manifest, name="manifest"),
    path("offline/", views_offline.offline, name="offline"),
    path("language/", views_language.set_language, name="set_language"),
    path(
        "jsi18n/<str:language>.js",
        views_language.javascript_catalog,
        name="javascript_catalog",
    ),
    path("accounts/", include(accounts)),
    path("sites/", views.site_directory, name="site_directory"),
    path("map/", views_public.site_map, name="site_map"),
    path("sites.geojson", views_public.sites_geojson, name="sites_geojson"),
    path(
        "sites/<slug:slug>/murmurations.json",
        views_public.murmurations_profile,
        name="murmurations_profile",
    ),
    path("sites/<slug:slug>/hours.ics", views_public.site_hours_ics, name="site_hours_ics"),
    path("api/hsds/", views_public.hsds_root, name="hsds_root"),
    path("api/hsds/services", views_public.hsds_services, name="hsds_services"),
    path("api/hsds/services/<str:service_id>", views_public.hsds_service, name="hsds_service"),
    path("sites/<slug:slug>/", views.site_detail, name="site_detail"),
    path("sites/<slug:slug>/join/", views.join_site, name="site_join"),
    path("sites/<slug:slug>/leave/", views.leave_site, name="site_leave"),
    path("sites/<slug:slug>/manage/", views.site_manage, name="site_manage"),
    path("sites/<slug:slug>/manage/edit/", views.site_edit, name="site_edit"),
    path("sites/<slug:slug>/manage/people/", views.site_people, name="site_people"),
    path("sites/<slug:slug>/manage/people/invite/", views.site_invite, name="site_invite"),
    path(
        "sites/<slug:slug>/manage/people/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path(
        "sites/<slug:slug>/manage/people/<int:user_id>/remove/",
        views.site_people_remove,
        name="site_people_remove",
    ),
    path("sites/<slug:slug>/manage/outbox/", views.site_outbox, name="site_outbox"),
    # The SMS gateways' webhooks (signed by the gateway; commonpot.views_sms).
    path("sms/twilio/inbound/", views_sms.twilio_inbound, name="sms_twilio_inbound"),
    path("sms/twilio/status/", views_sms.twilio_status, name="sms_twilio_status"),
    path("sms/smsgate/", views_sms.smsgate_webhook, name="sms_smsgate_webhook"),
    # Notifications on a phone (Web Push); the app's service worker (/sw.js)
    # imports the push handlers of static/js/sw-push.js.
    path("push/subscriptions/", views_push.push_subscribe, name="push_subscribe"),
    path(
        "push/subscriptions/<int:subscription_id>/remove/",
        views_push.push_unsubscribe,
        name="push_unsubscribe",
    ),
    path("sites/<slug:slug>/manage/reports/", views_reports.site_report, name="site_report"),
    path("network/reports/", views_reports.network_report, name="network_report"),
    path("network/sites/new/", views.site_create, name="site_create"),
    path("", include("pantry.urls")),
    path("", include("pantry.network.urls")),
    path("", include("pantry.federation.urls")),
    path("", include("kitchen.urls")),
    path("", include("volunteers.urls")),
    path("admin/", admin.site.urls),
]
