from django.urls import path

from unsilo.core import views_admin

app_name = "core"
urlpatterns = [
    path("admin/", views_admin.admin_home, name="admin"),
    path("admin/audit/", views_admin.audit_log, name="audit"),
    path("admin/users/", views_admin.users, name="users"),
    path("admin/users/new/", views_admin.user_new, name="user_new"),
    path("admin/users/<int:pk>/edit/", views_admin.user_edit, name="user_edit"),
    path("admin/users/<int:pk>/unlock/", views_admin.user_unlock, name="user_unlock"),
    path("me/tokens/", views_admin.tokens, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", views_admin.token_revoke, name="token_revoke"),
]
