from django.urls import path

from volunteers import views_volunteer

urlpatterns = [
    path("me/shifts/", views_volunteer.my_shifts, name="volunteers_my_shifts"),
]
