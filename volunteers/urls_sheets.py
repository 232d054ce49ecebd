from django.urls import path

from volunteers import views_sheets

site = "sites/<slug:slug>/sheets/"

urlpatterns = [
    path(site, views_sheets.sheets, name="volunteers_sheets"),
    path(
        site + "shifts/<int:shift_id>.pdf", views_sheets.shift_sheet, name="volunteers_shift_sheet"
    ),
    path(site + "days/<str:day>.pdf", views_sheets.day_sheet, name="volunteers_day_sheet"),
    path("me/schedule.pdf", views_sheets.my_schedule, name="volunteers_my_schedule"),
]
