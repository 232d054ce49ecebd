from django.urls import path

from pantry.network import (
    views,
    views_dashboard,
    views_murmurations,
    views_runs,
    views_transfers,
)

app_name = "network"

urlpatterns = [
    path("network/", views.board, name="board"),
    path("network/sites/", views.sites_suggested, name="sites_suggested"),
    path("network/items/", views.items_suggested, name="items_suggested"),
    path("network/dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("network/sites.geojson", views_dashboard.sites_geojson, name="sites_geojson"),
    path("network/offers/<int:pk>/", views.offer_detail, name="offer"),
    path("network/offers/<int:pk>/claim/", views.claim, name="offer_claim"),
    path("network/offers/<int:pk>/withdraw/", views.withdraw_offer, name="offer_withdraw"),
    path("network/needs/<int:pk>/", views.need_detail, name="need"),
    path("network/needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("network/transfers/", views_transfers.transfer_list, name="transfers"),
    path("network/transfers/new/", views_transfers.propose, name="transfer_new"),
    path("network/transfers/<int:pk>/", views_transfers.transfer_detail, name="transfer"),
    path("network/transfers/<int:pk>/accept/", views_transfers.accept, name="transfer_accept"),
    path(
        "network/transfers/<int:pk>/dispatch/",
        views_transfers.dispatch,
        name="transfer_dispatch",
    ),
    path(
        "network/transfers/<int:pk>/receive/",
        views_transfers.receive,
        name="transfer_receive",
    ),
    path("network/transfers/<int:pk>/cancel/", views_transfers.cancel, name="transfer_cancel"),
    path(
        "network/transfers/<int:pk>/manifest.pdf",
        views_transfers.manifest,
        name="transfer_manifest",
    ),
    path("network/runs/", views_runs.run_list, name="runs"),
    path("network/runs/<int:pk>/", views_runs.run_detail, name="run"),
    path("network/runs/<int:pk>/stops/", views_runs.run_stop_add, name="run_stop_add"),
    path("network/runs/<int:pk>/order/", views_runs.run_order, name="run_order"),
    path("network/runs/<int:pk>/drive/", views_runs.run_drive, name="run_drive"),
    path("network/stops/<int:pk>/move/", views_runs.run_stop_move, name="run_stop_move"),
    path("network/stops/<int:pk>/finish/", views_runs.run_stop_finish, name="run_stop_finish"),
    path(
        "network/stop-lines/<int:pk>/pickup/",
        views_runs.run_line_pickup,
        name="run_line_pickup",
    ),
    path("sites/<slug:slug>/surplus/", views.site_surplus, name="site_surplus"),
    path("sites/<slug:slug>/surplus/offer/", views.offer_new, name="offer_new"),
    path("sites/<slug:slug>/surplus/need/", views.need_new, name="need_new"),
    path(
        "network/offers/<int:pk>/murmurations.json",
        views_murmurations.offer_profile,
        name="offer_murmurations",
    ),
    path(
        "network/needs/<int:pk>/murmurations.json",
        views_murmurations.need_profile,
        name="need_murmurations",
    ),
]
