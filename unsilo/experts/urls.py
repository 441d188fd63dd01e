from django.urls import path

from unsilo.experts import views

app_name = "experts"
urlpatterns = [
    path("", views.find, name="find"),
]
