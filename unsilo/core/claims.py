"""Claims: rows taken for one worker by a conditional UPDATE, so of several workers sweeping the
same rows at once each row goes to exactly one.

`claim(rows, **values)` runs `UPDATE … SET values WHERE <the queryset's filter> RETURNING id`
and returns the ids it changed. The filter is the claim's condition (a state, a due time, an
expired lease), and `values` make the condition false (a lease, the next turn): on
PostgreSQL an UPDATE that meets a row another worker is changing waits for it, then checks
the condition again on the new row, so the second claimant gets nothing; SQLite runs one
writer at a time. The caller hands over only what it got back.
"""

from django.db import connections, models
from django.db.models.sql import UpdateQuery


def claim(rows: models.QuerySet, limit: int | None = None, **values) -> list:
    """Set `values` on the rows of `rows` (at most `limit` of them, in its order) that still
    match it when written; returns their ids."""
    if limit is not None:
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        rows = rows.order_by().filter(pk__in=ids)
    query = rows.query.chain(UpdateQuery)
    query.clear_ordering(force=True)
    query.add_update_values(values)
    compiler = query.get_compiler(rows.db)
    compiler.pre_sql_setup()
    sql, params = compiler.as_sql()
    connection = connections[rows.db]
    pk = connection.ops.quote_name(rows.model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {pk}", params)
        return [row[0] for row in cursor.fetchall()]
