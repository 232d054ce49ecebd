from django.urls import include, path

from volunteers import views_board, views_lead, views_people, views_plan, views_volunteer

lead = "sites/<slug:slug>/"

urlpatterns = [
    path("", include("volunteers.urls_sheets")),
    # Volunteers
    path("shifts/", views_board.board, name="volunteers_board"),
    path("shifts/<int:pk>/", views_board.shift_detail, name="volunteers_shift"),
    path("shifts/<int:pk>/claim/", views_board.claim, name="volunteers_claim"),
    path(
        "shifts/stand-ins/<int:sign_up_id>/take/",
        views_board.take_over,
        name="volunteers_take_over",
    ),
    path("me/shifts/", views_volunteer.my_shifts, name="volunteers_my_shifts"),
    path("me/shifts/<int:sign_up_id>/cancel/", views_volunteer.cancel, name="volunteers_cancel"),
    path(
        "me/shifts/<int:sign_up_id>/stand-in/",
        views_volunteer.request_stand_in,
        name="volunteers_stand_in",
    ),
    path(
        "me/shifts/<int:sign_up_id>/stand-in/withdraw/",
        views_volunteer.withdraw_stand_in,
        name="volunteers_stand_in_withdraw",
    ),
    path("me/qualifications/", views_volunteer.qualifications, name="volunteers_qualifications"),
    path(
        "me/qualifications/<int:pk>/remove/",
        views_volunteer.qualification_remove,
        name="volunteers_qualification_remove",
    ),
    path("me/calendar/reset/", views_volunteer.calendar_reset, name="volunteers_calendar_reset"),
    path("calendar/<str:token>.ics", views_volunteer.feed, name="volunteers_feed"),
    path(lead + "shifts.ics", views_volunteer.site_feed, name="volunteers_site_feed"),
    # Leads
    path(lead + "shifts/", views_lead.week, name="volunteers_site_shifts"),
    path(lead + "shifts/new/", views_lead.shift_create, name="volunteers_shift_create"),
    path(lead + "shifts/rules/", views_lead.policy, name="volunteers_policy"),
    path(lead + "shifts/<int:pk>/", views_lead.roster, name="volunteers_roster"),
    path(lead + "shifts/<int:pk>/edit/", views_lead.shift_edit, name="volunteers_shift_edit"),
    path(lead + "shifts/<int:pk>/delete/", views_lead.shift_delete, name="volunteers_shift_delete"),
    path(lead + "shifts/<int:pk>/add/", views_lead.roster_add, name="volunteers_roster_add"),
    path(
        lead + "shifts/<int:pk>/sign-ups/<int:sign_up_id>/remove/",
        views_lead.roster_remove,
        name="volunteers_roster_remove",
    ),
    path(
        lead + "shifts/<int:pk>/sign-ups/<int:sign_up_id>/check-in/",
        views_lead.check_in,
        name="volunteers_check_in",
    ),
    path(
        lead + "shifts/<int:pk>/message/",
        views_lead.message_shift,
        name="volunteers_message_shift",
    ),
    path(
        lead + "shifts/day/<str:day>/message/",
        views_lead.message_day,
        name="volunteers_message_day",
    ),
    path(lead + "shifts/day/<str:day>/copy/", views_lead.copy_day, name="volunteers_copy_day"),
    path(lead + "roles/", views_plan.roles, name="volunteers_roles"),
    path(lead + "roles/<int:pk>/", views_plan.role_edit, name="volunteers_role_edit"),
    path(lead + "rotas/", views_plan.rotas, name="volunteers_rotas"),
    path(lead + "rotas/<int:pk>/", views_plan.rota, name="volunteers_rota"),
    path(
        lead + "rotas/<int:pk>/generate/",
        views_plan.rota_generate,
        name="volunteers_rota_generate",
    ),
    path(
        lead + "rotas/<int:pk>/exceptions/",
        views_plan.rota_exception_add,
        name="volunteers_rota_exception_add",
    ),
    path(
        lead + "rotas/<int:pk>/exceptions/<int:exception_id>/remove/",
        views_plan.rota_exception_remove,
        name="volunteers_rota_exception_remove",
    ),
    path(lead + "volunteers/", views_people.volunteers, name="volunteers_people"),
    path(lead + "volunteers/<int:user_id>/", views_people.record, name="volunteers_record"),
    path(
        lead + "volunteers/<int:user_id>/qualifications/<int:qualification_id>/verify/",
        views_people.verify,
        name="volunteers_verify",
    ),
]
