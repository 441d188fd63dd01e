from django.urls import path

app_name = "people_import"
urlpatterns: list = []
