from django.urls import path

from . import api, views

app_name = "queueing"

urlpatterns = [
    path("xep-hang/so/<uuid:public_id>/", views.ticket, name="ticket"),
    path("xep-hang/so/<uuid:public_id>/in/", views.ticket_print, name="ticket_print"),
    path("xep-hang/so/<uuid:public_id>/phieu.pdf", views.ticket_pdf, name="ticket_pdf"),
    path("xep-hang/lich-hen/<uuid:public_id>/", views.appointment, name="appointment"),
    path("xep-hang/<str:centre_code>/", views.take_by_phone, name="take"),
    path("xep-hang/<str:centre_code>/dat-lich/", views.book, name="book"),
    path("xep-hang/<str:centre_code>/dat-lich/giu-cho/", views.slot_hold, name="slot_hold"),
    path("xep-hang/<str:centre_code>/kiosk/lich-hen/", views.kiosk_check_in, name="kiosk_check_in"),
    path("xep-hang/<str:centre_code>/kiosk/", views.kiosk, name="kiosk"),
    path(
        "xep-hang/<str:centre_code>/kiosk/dang-ky/<str:link_key>/",
        views.kiosk_register,
        name="kiosk_register",
    ),
    path("xep-hang/<str:centre_code>/man-hinh/", views.board, name="board"),
    path(
        "xep-hang/<str:centre_code>/man-hinh/dang-ky/<str:link_key>/",
        views.board_register,
        name="board_register",
    ),
    path("mot-cua/quay/", views.counters, name="counters"),
    path("mot-cua/quay/<int:counter_id>/", views.console, name="console"),
    path("mot-cua/quay/<int:counter_id>/<slug:action>/", views.console_action, name="console_action"),
    path("giam-sat/xep-hang/", views.statistics, name="statistics"),
    path("api/xep-hang/so/<uuid:public_id>/", api.TicketStatusView.as_view(), name="api_ticket"),
    path("api/xep-hang/ma-xac-thuc/", api.PhoneCodeView.as_view(), name="api_phone_code"),
    path("api/xep-hang/thu-thach/", api.ChallengeView.as_view(), name="api_challenge"),
    path("api/xep-hang/<str:centre_code>/dich-vu/", api.CentreServicesView.as_view(), name="api_services"),
    path("api/xep-hang/<str:centre_code>/so/", api.TakeTicketView.as_view(), name="api_take"),
    path("api/xep-hang/<str:centre_code>/lich-trong/", api.FreeSlotsView.as_view(), name="api_free_slots"),
    path("api/xep-hang/<str:centre_code>/lich-hen/", api.BookView.as_view(), name="api_book"),
    path("api/xep-hang/lich-hen/<uuid:public_id>/huy/", api.CancelView.as_view(), name="api_cancel"),
]
