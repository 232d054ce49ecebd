from django.urls import include, path

from volunteers import (
    views_board,
    views_certificates,
    views_check_in,
    views_lead,
    views_people,
    views_plan,
    views_volunteer,
    views_watches,
)

lead = "sites/<slug:slug>/"

app_name = "volunteers"

urlpatterns = [
    path("", include("volunteers.urls_sheets")),
    # Volunteers
    path("shifts/", views_board.board, name="board"),
    path("shifts/sites/", views_board.board_sites_suggested, name="board_sites"),
    path("shifts/<int:pk>/", views_board.shift_detail, name="shift"),
    path("shifts/<int:pk>/claim/", views_board.claim, name="claim"),
    path("claim/<str:token>/", views_board.claim_by_link, name="claim_link"),
    path(
        "shifts/stand-ins/<int:sign_up_id>/take/",
        views_board.take_over,
        name="take_over",
    ),
    path("me/shifts/", views_volunteer.my_shifts, name="my_shifts"),
    path("check-in/", views_check_in.self_check_in, name="self_check_in"),
    path("me/shifts/<int:sign_up_id>/cancel/", views_volunteer.cancel, name="cancel"),
    path(
        "me/shifts/<int:sign_up_id>/stand-in/",
        views_volunteer.request_stand_in,
        name="stand_in",
    ),
    path(
        "me/shifts/<int:sign_up_id>/stand-in/withdraw/",
        views_volunteer.withdraw_stand_in,
        name="stand_in_withdraw",
    ),
    path("me/qualifications/", views_volunteer.qualifications, name="qualifications"),
    path(
        "me/qualifications/<int:pk>/remove/",
        views_volunteer.qualification_remove,
        name="qualification_remove",
    ),
    path("me/certificates/", views_certificates.certificates_page, name="certificates"),
    path(
        "me/certificates/<str:code>.pdf",
        views_certificates.certificate_pdf,
        name="certificate_pdf",
    ),
    path("certificates/", views_certificates.certificate_lookup, name="certificate_lookup"),
    path(
        "certificates/<str:code>/",
        views_certificates.certificate_check,
        name="certificate_check",
    ),
    path("me/watches/", views_watches.watches_page, name="watches"),
    path("me/watches/<int:pk>/stop/", views_watches.watch_stop, name="watch_stop"),
    path("me/calendar/reset/", views_volunteer.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views_volunteer.feed, name="feed"),
    path(lead + "shifts.ics", views_volunteer.site_feed, name="site_feed"),
    # Leads
    path(lead + "shifts/", views_lead.week, name="site_shifts"),
    path(lead + "shifts/new/", views_lead.shift_create, name="shift_create"),
    path(lead + "shifts/rules/", views_lead.policy, name="policy"),
    path(lead + "shifts/kiosk/", views_check_in.kiosk, name="kiosk"),
    path(lead + "shifts/<int:pk>/", views_lead.roster, name="roster"),
    path(lead + "shifts/<int:pk>/code/", views_check_in.roster_code, name="roster_code"),
    path(lead + "shifts/<int:pk>/edit/", views_lead.shift_edit, name="shift_edit"),
    path(lead + "shifts/<int:pk>/delete/", views_lead.shift_delete, name="shift_delete"),
    path(lead + "shifts/<int:pk>/cancel/", views_lead.shift_cancel, name="shift_cancel"),
    path(lead + "shifts/<int:pk>/add/", views_lead.roster_add, name="roster_add"),
    path(lead + "people/suggested/", views_lead.people_suggested, name="people_suggested"),
    path(lead + "shifts/<int:pk>/walk-ins/", views_lead.walk_in_add, name="walk_in_add"),
    path(
        lead + "shifts/<int:pk>/sign-ups/<int:sign_up_id>/remove/",
        views_lead.roster_remove,
        name="roster_remove",
    ),
    path(
        lead + "shifts/<int:pk>/sign-ups/<int:sign_up_id>/approve/",
        views_lead.approve_claim,
        name="approve_claim",
    ),
    path(
        lead + "shifts/<int:pk>/sign-ups/<int:sign_up_id>/decline/",
        views_lead.decline_claim,
        name="decline_claim",
    ),
    path(
        lead + "shifts/<int:pk>/sign-ups/<int:sign_up_id>/check-in/",
        views_lead.check_in,
        name="check_in",
    ),
    path(
        lead + "shifts/<int:pk>/everyone-attended/",
        views_lead.everyone_attended,
        name="everyone_attended",
    ),
    path(
        lead + "shifts/<int:pk>/message/",
        views_lead.message_shift,
        name="message_shift",
    ),
    path(lead + "shifts/day/<str:day>/", views_lead.day, name="day"),
    path(
        lead + "shifts/day/<str:day>/message/",
        views_lead.message_day,
        name="message_day",
    ),
    path(lead + "shifts/day/<str:day>/copy/", views_lead.copy_day, name="copy_day"),
    path(lead + "roles/", views_plan.roles, name="roles"),
    path(lead + "roles/<int:pk>/", views_plan.role_edit, name="role_edit"),
    path(lead + "rotas/", views_plan.rotas, name="rotas"),
    path(lead + "rotas/<int:pk>/", views_plan.rota, name="rota"),
    path(
        lead + "rotas/<int:pk>/generate/",
        views_plan.rota_generate,
        name="rota_generate",
    ),
    path(
        lead + "rotas/<int:pk>/exceptions/",
        views_plan.rota_exception_add,
        name="rota_exception_add",
    ),
    path(
        lead + "rotas/<int:pk>/exceptions/<int:exception_id>/remove/",
        views_plan.rota_exception_remove,
        name="rota_exception_remove",
    ),
    path(
        lead + "rotas/<int:pk>/regulars/",
        views_plan.rota_regular_add,
        name="rota_regular_add",
    ),
    path(
        lead + "rotas/<int:pk>/regulars/<int:regular_id>/remove/",
        views_plan.rota_regular_remove,
        name="rota_regular_remove",
    ),
    path(
        lead + "rotas/<int:pk>/regulars/take-off/",
        views_plan.rota_regular_take_off,
        name="rota_regular_take_off",
    ),
    path(lead + "volunteers/", views_people.volunteers, name="people"),
    path(lead + "volunteers/<int:user_id>/", views_people.record, name="record"),
    path(lead + "volunteers/<int:user_id>/note/", views_people.record_note, name="record_note"),
    path(
        lead + "volunteers/<int:user_id>/invite/",
        views_people.walk_in_invite,
        name="walk_in_invite",
    ),
    path(
        lead + "volunteers/<int:user_id>/qualifications/<int:qualification_id>/verify/",
        views_people.verify,
        name="verify",
    ),
]
