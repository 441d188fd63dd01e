"""Conversation.search served by an index on PostgreSQL: trigrams answer `LIKE '%word%'`.

SQLite has no index for that; its search walks the queue's own index and checks each row.
"""

from django.db import migrations

INDEX = "inbox_conversation_search_trgm"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON inbox_conversation USING gin (search gin_trgm_ops)")


def drop_index(apps, schema_editor):
    # The extension stays: org's people search uses it too.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_index, drop_index),
    ]
