from django.urls import path

from volunteers import views_sheets

site = "sites/<slug:slug>/sheets/"

urlpatterns = [
    path(site, views_sheets.sheets, name="sheets"),
    path(site + "shifts/<int:shift_id>.pdf", views_sheets.shift_sheet, name="shift_sheet"),
    path(site + "days/<str:day>.pdf", views_sheets.day_sheet, name="day_sheet"),
    path("me/schedule.pdf", views_sheets.my_schedule, name="my_schedule"),
]
