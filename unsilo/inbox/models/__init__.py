"""The inbox's models, one module a topic: conversations.py (conversations, messages, consults,
handoffs, notes, viewers), routing.py (decisions, rules, settings, history, the model),
silo_settings.py (saved replies, SLAs, business hours, absences), notifications.py, reading.py
(who has read which conversation). Every model
is imported here, where Django and the rest of unsilo look for them."""

from unsilo.inbox.models.conversations import (  # noqa: F401
    Consult,
    ConsultStatus,
    Conversation,
    Direction,
    Handoff,
    Message,
    MessageState,
    Note,
    Risk,
    Sentiment,
    Status,
    Urgency,
    Viewer,
)
from unsilo.inbox.models.notifications import (  # noqa: F401
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from unsilo.inbox.models.reading import ConversationRead  # noqa: F401
from unsilo.inbox.models.routing import (  # noqa: F401
    DecisionSource,
    HistorySource,
    InboxSettings,
    ResolvedConsult,
    ResolvedExample,
    RoutingDecision,
    RoutingModel,
    RoutingRule,
    RuleTarget,
)
from unsilo.inbox.models.silo_settings import (  # noqa: F401
    Absence,
    BusinessHours,
    SavedReply,
    SlaPolicy,
)
