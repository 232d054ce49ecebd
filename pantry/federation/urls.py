from django.urls import path

from pantry.federation import views, views_protocol

app_name = "federation"

urlpatterns = [
    # What partner installs call.
    path("federation/actor", views_protocol.actor, name="actor"),
    path("federation/context.jsonld", views_protocol.context, name="context"),
    path("federation/pair", views_protocol.pair, name="pair"),
    path("federation/inbox", views_protocol.inbox, name="inbox"),
    # What people use.
    path("network/partners/", views.partners, name="partners"),
    path("network/partners/invite/", views.invite, name="invite"),
    path("network/partners/accept/", views.accept, name="accept"),
    path("network/partners/<int:pk>/", views.partner_detail, name="partner"),
    path("network/partners/<int:pk>/status/", views.partner_status, name="partner_status"),
    path("network/partners/<int:pk>/send/", views.partner_send, name="partner_send"),
    path("network/partner-offers/<int:pk>/", views.partner_offer, name="partner_offer"),
    path("network/partner-offers/<int:pk>/claim/", views.claim, name="claim"),
    path("network/partner-transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("network/partner-transfers/<int:pk>/dispatch/", views.dispatch, name="transfer_dispatch"),
    path("network/partner-transfers/<int:pk>/receive/", views.receive, name="transfer_receive"),
    path("network/partner-transfers/<int:pk>/cancel/", views.cancel, name="transfer_cancel"),
]
