from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("trang-cua-toi/", views.home, name="home"),
    path("cong-dan/", views.home_citizen, name="home_citizen"),
    path("mot-cua/", views.home_counter_staff, name="home_counter_staff"),
    path("chuyen-mon/", views.home_agency_officer, name="home_agency_officer"),
    path("giam-sat/", views.home_supervisor, name="home_supervisor"),
    path("co-chu/", views.text_size, name="text_size"),
    path("xac-thuc-hai-lop/dang-ky/", views.otp_enrol, name="otp_enrol"),
    path("xac-thuc-hai-lop/", views.otp_verify, name="otp_verify"),
    path("ma-truy-cap/", views.tokens, name="tokens"),
    path("tai-khoan/doi-mat-khau/", views.password_change, name="password_change"),
    path("tai-khoan/xac-minh-email/", views.email_verify, name="email_verify"),
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path("quen-mat-khau/nhap-ma/", views.password_reset_confirm_view, name="password_reset_confirm"),
]
