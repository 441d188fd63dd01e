from django.contrib.auth.views import LogoutView
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from unsilo.api import api
from unsilo.core import views as core_views
from unsilo.sso import views as sso_views

urlpatterns = [
    path("", RedirectView.as_view(url="/table/", permanent=False)),
    path("login/", sso_views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", RedirectView.as_view(url=static("unsilo/favicon.svg"), permanent=True)),
    path("api/v1/", api.urls),
    path("people/import/", include("unsilo.org.import_urls")),
    path("", include("unsilo.org.urls")),
    path("hooks/", include("unsilo.connectors.urls.hooks")),
    path("accounts/", include("unsilo.connectors.urls.connect")),
    path("accounts/", include("unsilo.accounts.urls")),
    path("outbox/", include("unsilo.connectors.urls.outbox")),
    path("inbox/", include("unsilo.inbox.urls")),
    path("", include("unsilo.sso.urls")),
    path("experts/", include("unsilo.experts.urls")),
    path("admin/publishing/", include("unsilo.publishing.urls")),
    path("", include("unsilo.core.urls")),
]

for section in core_views.COMING.keys() - {"inbox"}:
    urlpatterns.append(
        path(f"{section}/", core_views.coming, {"section": section}, name=section)
    )
