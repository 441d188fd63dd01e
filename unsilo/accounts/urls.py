from django.urls import path

from unsilo.accounts import views, views_requests

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_new, name="new"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/delete/", views.account_delete, name="delete"),
    path("<int:pk>/confirm/", views_requests.account_confirm, name="confirm"),
    path("<int:pk>/retire/", views_requests.account_retire, name="retire"),
    path("<int:claim_pk>/claim/", views_requests.request_new, name="claim"),
    path("requests/", views_requests.request_list, name="requests"),
    path("requests/new/", views_requests.request_new, name="request_new"),
    path("requests/<int:pk>/", views_requests.request_detail, name="request"),
]
