"""Who has read what: a conversation is unread for a reader when a customer wrote after they
last opened it, or they never did."""

from django.db import models
from django.utils import timezone


class ConversationRead(models.Model):
    """When `reader` last opened `conversation`. Bookkeeping, not a change anyone makes to the
    conversation: it has no audit row (docs/inbox.md)."""

    reader = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE,
                                     related_name="reads")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader", "conversation"], name="read_once")
        ]

    def __str__(self):
        return f"{self.reader_id} read conversation {self.conversation_id}"
