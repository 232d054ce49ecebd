from django.urls import path

from pantry.network import views, views_dashboard, views_transfers

urlpatterns = [
    path("network/", views.board, name="network_board"),
    path("network/dashboard/", views_dashboard.dashboard, name="network_dashboard"),
    path("network/sites.geojson", views_dashboard.sites_geojson, name="network_sites_geojson"),
    path("network/offers/<int:pk>/", views.offer_detail, name="network_offer"),
    path("network/offers/<int:pk>/claim/", views.claim, name="network_offer_claim"),
    path("network/offers/<int:pk>/withdraw/", views.withdraw_offer, name="network_offer_withdraw"),
    path("network/needs/<int:pk>/", views.need_detail, name="network_need"),
    path("network/needs/<int:pk>/close/", views.need_close, name="network_need_close"),
    path("network/transfers/", views_transfers.transfer_list, name="network_transfers"),
    path("network/transfers/new/", views_transfers.propose, name="network_transfer_new"),
    path("network/transfers/<int:pk>/", views_transfers.transfer_detail, name="network_transfer"),
    path(
        "network/transfers/<int:pk>/accept/", views_transfers.accept, name="network_transfer_accept"
    ),
    path(
        "network/transfers/<int:pk>/dispatch/",
        views_transfers.dispatch,
        name="network_transfer_dispatch",
    ),
    path(
        "network/transfers/<int:pk>/receive/",
        views_transfers.receive,
        name="network_transfer_receive",
    ),
    path(
        "network/transfers/<int:pk>/cancel/", views_transfers.cancel, name="network_transfer_cancel"
    ),
    path(
        "network/transfers/<int:pk>/manifest.pdf",
        views_transfers.manifest,
        name="network_transfer_manifest",
    ),
    path("sites/<slug:slug>/surplus/", views.site_surplus, name="network_site_surplus"),
    path("sites/<slug:slug>/surplus/offer/", views.offer_new, name="network_offer_new"),
    path("sites/<slug:slug>/surplus/need/", views.need_new, name="network_need_new"),
]
