from django.urls import path

from pantry import views, views_intake, views_recalls, views_temperatures

app_name = "pantry"

site = "sites/<slug:slug>/"

urlpatterns = [
    # Stock
    path(f"{site}stock/", views.stock, name="stock"),
    path(f"{site}stock/export.csv", views.stock_csv, name="stock_csv"),
    path(f"{site}stock/moves.csv", views.moves_csv, name="moves_csv"),
    path(f"{site}stock/items/<int:item_id>/", views.stock_item, name="stock_item"),
    path(f"{site}stock/pick-item/", views.item_search, name="item_search"),
    path(f"{site}lots/<int:lot_id>/", views.lot, name="lot"),
    path(f"{site}lots/<int:lot_id>/discard/", views.lot_discard, name="lot_discard"),
    path(f"{site}lots/<int:lot_id>/label.pdf", views.lot_label, name="lot_label"),
    path(f"{site}moves/<int:move_id>/undo/", views.move_undo, name="move_undo"),
    path(f"{site}waste/", views.waste, name="waste"),
    path(f"{site}counts/", views.counts, name="counts"),
    path(f"{site}counts/<str:storage>/", views.count_area, name="count_area"),
    path(f"{site}counts/<str:storage>/sheet.pdf", views.count_sheet, name="count_sheet"),
    path(f"{site}stock/low-levels/", views.thresholds, name="thresholds"),
    # Temperatures and holds
    path(f"{site}temperatures/", views_temperatures.temperatures_page, name="temperatures"),
    path(
        f"{site}temperatures/log.pdf",
        views_temperatures.temperature_log_pdf,
        name="temperature_log",
    ),
    path(
        f"{site}temperatures/<int:unit_id>/read/",
        views_temperatures.reading_new,
        name="reading_new",
    ),
    path(f"{site}equipment/", views_temperatures.equipment_list, name="equipment"),
    path(
        f"{site}equipment/<int:unit_id>/", views_temperatures.equipment_edit, name="equipment_edit"
    ),
    path(f"{site}lots/<int:lot_id>/store/", views_temperatures.lot_store, name="lot_store"),
    path(f"{site}holds/", views_temperatures.holds, name="holds"),
    path(f"{site}holds/<int:hold_id>/", views_temperatures.hold_decide, name="hold_decide"),
    # Food in
    path(f"{site}donations/", views_intake.donation_list, name="donations"),
    path(f"{site}donations/new/", views_intake.donation_new, name="donation_new"),
    path(f"{site}donations/new/line/", views_intake.donation_line, name="donation_line"),
    path(f"{site}donations/new/barcode/", views_intake.barcode_fill, name="barcode_fill"),
    path(f"{site}donations/import/", views_intake.donation_import, name="donation_import"),
    path(f"{site}donations/<int:donation_id>/", views_intake.donation_detail, name="donation"),
    path(
        f"{site}donations/<int:donation_id>/receipt.pdf",
        views_intake.donation_receipt,
        name="donation_receipt",
    ),
    path(f"{site}donors/", views_intake.donors, name="donors"),
    path(f"{site}donors/<int:donor_id>/", views_intake.donor_edit, name="donor_edit"),
    # Food out
    path(f"{site}distributions/", views_intake.distribution_list, name="distributions"),
    path(f"{site}distributions/new/", views_intake.distribution_new, name="distribution_new"),
    path(
        f"{site}distributions/new/barcode/",
        views_intake.distribution_barcode_fill,
        name="distribution_barcode_fill",
    ),
    path(
        f"{site}distributions/new/line/",
        views_intake.distribution_line,
        name="distribution_line",
    ),
    path(
        f"{site}distributions/<int:distribution_id>/",
        views_intake.distribution_detail,
        name="distribution",
    ),
    # Recalls (network-wide, or a lead's own site)
    path("recalls/", views_recalls.recall_list, name="recalls"),
    path("recalls/new/", views_recalls.recall_new, name="recall_new"),
    path("recalls/<int:recall_id>/", views_recalls.recall_detail, name="recall"),
    path("recalls/<int:recall_id>/trace.pdf", views_recalls.recall_pdf, name="recall_pdf"),
    path(
        "recalls/<int:recall_id>/sites/<slug:slug>/answer/",
        views_recalls.recall_answer,
        name="recall_answer",
    ),
    path("recalls/<int:recall_id>/close/", views_recalls.recall_close, name="recall_close"),
    # The network's catalog
    path("items/", views_intake.item_list, name="items"),
    path("items/new/", views_intake.item_new, name="item_new"),
    path("items/<int:item_id>/", views_intake.item_edit, name="item_edit"),
]
