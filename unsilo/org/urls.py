from django.urls import path

from unsilo.org import import_views, views

app_name = "org"
# Silo slugs come from actions.unique_slug, but a slug loaded by other means still gets a page.
urlpatterns: list = [
    path("table/", views.table, name="table"),
    path("table/import/", import_views.silos, name="silo_import"),
    path("silos/new/", views.silo_new, name="silo_new"),
    path("silos/<str:slug>/", views.silo, name="silo"),
    path("silos/<str:slug>/edit/", views.silo_edit, name="silo_edit"),
    path("silos/<str:slug>/delete/", views.silo_delete, name="silo_delete"),
    path("silos/<str:slug>/seat/", views.seat_add, name="seat_add"),
    path("silos/<str:slug>/seat/<int:member_id>/remove/", views.seat_remove, name="seat_remove"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
]
