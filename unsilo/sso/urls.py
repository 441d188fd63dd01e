from django.urls import path

from unsilo.sso import views

app_name = "sso"
urlpatterns = [
    # Under /login/, which anyone may open (core/middleware.py).
    path("login/sso/", views.start, name="start"),
    path("login/sso/callback/", views.callback, name="callback"),
    path("admin/sso/", views.settings_page, name="settings"),
    path("admin/sso/roles/", views.add_role, name="add_role"),
    path("admin/sso/roles/<int:pk>/remove/", views.remove_role, name="remove_role"),
    path("admin/sso/seats/", views.add_seat, name="add_seat"),
    path("admin/sso/seats/<int:pk>/remove/", views.remove_seat, name="remove_seat"),
]
