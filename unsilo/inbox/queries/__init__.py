"""Every read of the inbox, scoped to the reader by construction (access.visible), one module
a topic: queues.py (the queues, their filters and counts), conversation.py (one conversation as
its reader sees it), notifications.py, settings.py (rules, settings, saved replies, SLAs,
business hours and absences, as each role may read them). Re-exported here: `queries.<name>`.
"""

from unsilo.inbox.queries.conversation import (  # noqa: F401
    Entry,
    assignable_people,
    conversation_for,
    customer_history,
    decisions,
    handoffs,
    open_consult_for,
    saved_replies_for,
    saved_reply_picker,
    thread,
    where_now,
)
from unsilo.inbox.queries.notifications import (  # noqa: F401
    my_emails,
    notification_choices,
    notifications,
    unread_count,
)
from unsilo.inbox.queries.queues import (  # noqa: F401
    COUNT_CAP,
    EPOCH,
    FILTERS,
    QUEUE_LABELS,
    QUEUES,
    RELATED,
    UNRESOLVED,
    BadFilter,
    Page,
    Unindexed,
    clean_filters,
    conversation_page,
    conversation_rows,
    cursor_of,
    filter_condition,
    newer_than,
    parse_cursor,
    queue_counts,
    queues_for,
    sees_everything,
)
from unsilo.inbox.queries.reading import unread_ids  # noqa: F401
