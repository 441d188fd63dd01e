"""Every write in the inbox, one module a topic: the conversation's life (conversation.py),
consults, notes and @mentions (team.py), replies, collisions and saved replies (reply.py), the
hub's and silos' settings (settings.py), a person's notification choices (notifications.py),
the reader's read marks (reading.py), one decision for many conversations (bulk.py). Shared
checks live in base.py.

Re-exported here, so the web views, the API, the CLI and the demo call `actions.<name>`.
"""

from unsilo.inbox.actions.bulk import BULK_ACTIONS, BULK_LIMIT, BulkResult, bulk  # noqa: F401
from unsilo.inbox.actions.bulk import summary as bulk_summary  # noqa: F401
from unsilo.inbox.actions.conversation import (  # noqa: F401
    assign,
    best_expert_in,
    correct_classification,
    corrected_sentiment,
    handoff,
    handoff_outcome,
    mark_read,
    reopen,
    resolve,
    return_to_queue,
    take,
)
from unsilo.inbox.actions.notifications import set_notification_preferences  # noqa: F401
from unsilo.inbox.actions.reading import mark_opened  # noqa: F401
from unsilo.inbox.actions.reply import (  # noqa: F401
    Collision,
    render_saved_reply,
    reply,
    touch_viewer,
)
from unsilo.inbox.actions.settings import (  # noqa: F401
    add_absence,
    delete_absence,
    delete_business_hours,
    delete_rule,
    delete_saved_reply,
    delete_sla_policy,
    save_business_hours,
    save_rule,
    save_saved_reply,
    save_sla_policy,
    update_inbox_settings,
)
from unsilo.inbox.actions.team import (  # noqa: F401
    add_note,
    answer_consult,
    consult,
    suggest_experts,
)
