from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from idp import control

urlpatterns = [
    path("favicon.ico", lambda request: HttpResponse(status=204)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("control/client", control.client),
    path("control/users", control.user),
    path("control/users/disable", control.disable),
    path("control/users/expire", control.expire),
    path("control/keys/rotate", control.rotate),
    path("control/signing", control.signing),
]
