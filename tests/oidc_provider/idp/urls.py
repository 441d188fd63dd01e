from django.contrib.auth import views as auth_views
from django.urls import include, path

from idp import control

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("control/client", control.client),
    path("control/users", control.user),
    path("control/users/disable", control.disable),
    path("control/keys/rotate", control.rotate),
    path("control/signing", control.signing),
]
