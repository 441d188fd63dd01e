from django.urls import path

from unsilo.publishing import views

app_name = "publishing"
urlpatterns = [
    path("", views.policy_page, name="policy"),
    path("rules/<int:pk>/remove/", views.rule_remove, name="rule_remove"),
    path("pause/", views.pause, name="pause"),
    path("certifications/<int:pk>/revoke/", views.revoke, name="revoke"),
]
