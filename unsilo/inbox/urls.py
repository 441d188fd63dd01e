from django.urls import path

from unsilo.core import views as core_views

app_name = "inbox"
urlpatterns = [
    path("", core_views.coming, {"section": "inbox"}, name="home"),
]
