from django.urls import path

from unsilo.inbox.views import conversation, mentions, settings
from unsilo.inbox.views import queues as views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="home"),
    path("new/", views.new_rows, name="new"),
    path("bulk/", views.bulk, name="bulk"),
    path("mentions/", mentions.mention_options, name="mention_options"),
    path("people/", conversation.people_options, name="people_options"),
    path("c/<int:pk>/", conversation.conversation, name="conversation"),
    path("c/<int:pk>/presence/", conversation.presence, name="presence"),
    path("c/<int:pk>/reply/", conversation.reply, name="reply"),
    path("c/<int:pk>/saved/", conversation.insert_saved, name="insert_saved"),
    path("c/<int:pk>/saved/<int:saved_pk>/", conversation.saved_reply, name="saved_reply"),
    path("c/<int:pk>/note/", conversation.note, name="note"),
    path("c/<int:pk>/answer/", conversation.answer, name="answer"),
    path("c/<int:pk>/assign/", conversation.assign, name="assign"),
    path("c/<int:pk>/take/", conversation.take, name="take"),
    path("c/<int:pk>/consult/", conversation.consult, name="consult"),
    path("c/<int:pk>/handoff/", conversation.handoff, name="handoff"),
    path("c/<int:pk>/classify/", conversation.classify, name="classify"),
    path("c/<int:pk>/resolve/", conversation.resolve, name="resolve"),
    path("c/<int:pk>/reopen/", conversation.reopen, name="reopen"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/preferences/", views.notification_preferences,
         name="notification_preferences"),
    path("settings/", settings.overview, name="settings"),
    path("settings/threshold/", settings.threshold, name="threshold"),
    path("settings/safety/", settings.safety, name="safety"),
    path("settings/rules/new/", settings.rule_edit, name="rule_new"),
    path("settings/rules/<int:pk>/", settings.rule_edit, name="rule_edit"),
    path("settings/rules/<int:pk>/delete/", settings.rule_delete, name="rule_delete"),
    path("settings/replies/new/", settings.reply_edit, name="saved_reply_new"),
    path("settings/replies/<int:pk>/", settings.reply_edit, name="saved_reply_edit"),
    path("settings/replies/<int:pk>/delete/", settings.reply_delete, name="saved_reply_delete"),
    path("settings/silos/<int:silo_id>/sla/", settings.silo_sla, name="silo_sla"),
    path("settings/absences/new/", settings.absence_new, name="absence_new"),
    path("settings/absences/<int:pk>/delete/", settings.absence_delete, name="absence_delete"),
]
