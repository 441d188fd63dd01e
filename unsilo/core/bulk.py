"""Bulk writes for the ingestion pipeline, thousands of rows a second.

`insert_new`: INSERT … ON CONFLICT DO NOTHING RETURNING — the rows that are new, told apart
from those stored already, exact even when two writers race (the loser's row is simply not
returned); Django's bulk_create(ignore_conflicts=True) cannot say which rows went in.
`insert_many` / `update_many`: plain bulk INSERT / UPDATE by id. On PostgreSQL each statement
takes one array per column (unnest), so the server parses a few parameters instead of tens of
thousands and the client quotes none; on SQLite, multi-row VALUES and executemany are cheap.
`insert_rows` / `update_rows`: executemany with values prepared once per distinct datetime or
list (the people import's 100,000 rows in seconds). `bare`: unsaved rows built without
Model.__init__.
"""

import datetime
import json
import operator

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState

# Fields whose Python values (str, int, float, bool or None here) go to the database as they are.
PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
         models.ForeignKey, models.FloatField)
# Rows per executemany on SQLite.
BATCH = 2000


def insert_new(model: type[models.Model], objs: list[models.Model], unique: list[str],
               returning: list[str] | None = None) -> list[tuple]:
    """Insert `objs` (without ids); skip those clashing on the unique columns `unique`.
    Returns, for each row actually inserted, the values of `returning` (default: the id)."""
    if not objs:
        return []
    if connection.vendor == "postgresql":
        return _insert_new_postgresql(model, objs, unique, returning)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters = [(f.attname, None if isinstance(f, PLAIN) else f) for f in fields]
    quote = connection.ops.quote_name
    returned = [model._meta.get_field(name) for name in (returning or [model._meta.pk.name])]
    head = (f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
            f"({', '.join(quote(f.column) for f in fields)}) VALUES ")
    tail = (f" ON CONFLICT ({', '.join(quote(model._meta.get_field(n).column) for n in unique)})"
            f" DO NOTHING RETURNING {', '.join(quote(f.column) for f in returned)}")
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # SQLite takes at most 999 parameters per statement (as Django assumes).
    limit = connection.features.max_query_params or 65_535
    per_statement = max(1, min(500, limit // len(fields)))
    rows: list[tuple] = []
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start:start + per_statement]
            params = []
            for obj in chunk:
                for attname, field in getters:
                    value = getattr(obj, attname)
                    if field is None:
                        params.append(value)
                    elif type(value) is datetime.datetime and value.tzinfo is not None:
                        params.append(as_stored(value) if sqlite else value)
                    elif sqlite and isinstance(field, models.JSONField) and not field.encoder:
                        params.append(json.dumps(value))
                    else:
                        params.append(field.get_db_prep_save(value, connection))
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            rows.extend(cursor.fetchall())
    return rows


def _insert_new_postgresql(model, objs, unique, returning) -> list[tuple]:
    """The same as one statement per 1,000 rows: a column per array parameter, unnested —
    PostgreSQL parses 21 parameters instead of 21,000, twice as fast end to end."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    types = [f.db_type(connection) for f in fields]
    names = [f"c{n}" for n in range(len(fields))]
    select = ", ".join(f"{name}::jsonb" if kind == "jsonb" else name
                       for name, kind in zip(names, types, strict=True))
    arrays = ", ".join(f"%s::{'text' if kind == 'jsonb' else kind}[]" for kind in types)
    returned = [model._meta.get_field(name) for name in (returning or [model._meta.pk.name])]
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
           f"({', '.join(quote(f.column) for f in fields)}) SELECT {select} "
           f"FROM unnest({arrays}) AS t({', '.join(names)})")
    if unique:
        keys = ", ".join(quote(model._meta.get_field(n).column) for n in unique)
        sql += (f" ON CONFLICT ({keys}) DO NOTHING "
                f"RETURNING {', '.join(quote(f.column) for f in returned)}")
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), 1000):
            cursor.execute(sql, _columns(objs[start:start + 1000], fields, types))
            if unique:
                rows.extend(cursor.fetchall())
    return rows


def insert_many(model: type[models.Model], objs: list[models.Model]) -> None:
    """INSERT every object (without its id): PostgreSQL unnested as above, SQLite by
    executemany."""
    if not objs:
        return
    if connection.vendor == "postgresql":
        _insert_new_postgresql(model, objs, None, None)
    else:
        insert_rows(model, objs)


def update_many(model: type[models.Model], objs: list[models.Model], names: list[str]) -> None:
    """UPDATE the fields `names` of each object (by id). PostgreSQL: one statement per 1,000
    rows over unnested arrays; SQLite: one executemany (its statements cost little)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        update_rows(model, objs, names)
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    types = [f.db_type(connection) for f in fields]
    pk = model._meta.pk
    sets = ", ".join(f"{quote(f.column)} = v.c{n}" + ("::jsonb" if kind == "jsonb" else "")
                     for n, (f, kind) in enumerate(zip(fields, types, strict=True)))
    arrays = ", ".join(f"%s::{'text' if kind == 'jsonb' else kind}[]" for kind in types)
    table = quote(model._meta.db_table)
    sql = (f"UPDATE {table} SET {sets} FROM unnest(%s::bigint[], {arrays}) "  # noqa: S608
           f"AS v(id, {', '.join(f'c{n}' for n in range(len(fields)))}) "
           f"WHERE {table}.{quote(pk.column)} = v.id")
    with connection.cursor() as cursor:
        for start in range(0, len(objs), 1000):
            chunk = objs[start:start + 1000]
            cursor.execute(sql, [[obj.pk for obj in chunk], *_columns(chunk, fields, types)])


def as_stored(value: datetime.datetime) -> str:
    """An aware time as Django stores it in SQLite (naive UTC text), without its overhead."""
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def bare(model: type[models.Model], **values) -> models.Model:
    """An unsaved instance with `values` (by attname) and every other field's default, built
    the way unpickling builds one: a tenth of the cost of Model(), for rows made in bulk."""
    defaults = _defaults(model)
    obj = model.__new__(model)
    obj.__dict__.update({name: (f.get_default() if f else value)
                         for name, (value, f) in defaults.items() if name not in values},
                        **values, _state=ModelState())
    return obj


_DEFAULTS: dict = {}


def _defaults(model: type[models.Model]) -> dict:
    if model not in _DEFAULTS:
        # name -> (fixed default, None) or (None, field) when the default is computed per row.
        _DEFAULTS[model] = {
            f.attname: ((None, f) if f.has_default() and callable(f.default)
                        else (f.get_default(), None))
            for f in model._meta.concrete_fields}
    return _DEFAULTS[model]


def _columns(chunk: list, fields: list, types: list[str]) -> list[list]:
    """One list per field (PostgreSQL's unnest takes a column per array), JSON as text."""
    columns = []
    for f, kind in zip(fields, types, strict=True):
        values = [getattr(obj, f.attname) for obj in chunk]
        if kind == "jsonb":
            values = [None if v is None else json.dumps(v, cls=f.encoder) for v in values]
        columns.append(values)
    return columns


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Values:
    """The values of `names` for one object as the database takes them, prepared by the fields
    that need it (JSON, dates); each datetime and each list of words is prepared only once."""

    def __init__(self, model: type[models.Model], names: list[str]):
        self.fields = [model._meta.get_field(name) for name in names]
        attnames = [f.attname for f in self.fields]
        getter = operator.attrgetter(*attnames)
        self.get = getter if len(attnames) > 1 else (lambda obj: (getter(obj),))
        self.prepared = [(i, f) for i, f in enumerate(self.fields)
                         if not isinstance(f, PLAIN)]
        self.connection = connections[DEFAULT_DB_ALIAS]  # not the proxy: a million lookups fewer
        self.memo: dict = {}

    def __call__(self, obj: models.Model) -> list:
        row = list(self.get(obj))
        for i, f in self.prepared:
            value = row[i]
            kind = type(value)
            if kind is datetime.datetime or kind is list:
                try:
                    key = (i, value) if kind is datetime.datetime else (i, *value)
                    row[i] = self.memo[key]
                except KeyError:
                    row[i] = self.memo[key] = f.get_db_prep_save(value, self.connection)
                except TypeError:  # a list holding lists or dicts
                    row[i] = f.get_db_prep_save(value, self.connection)
            else:
                row[i] = f.get_db_prep_save(value, self.connection)
        return row


def insert_rows(model: type[models.Model], objs: list[models.Model]) -> None:
    """INSERT every object (without its id) in one executemany."""
    if not objs:
        return
    values = _Values(model, [f.name for f in model._meta.concrete_fields if not f.primary_key])
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
           f"({', '.join(quote(f.column) for f in values.fields)}) "
           f"VALUES ({', '.join(['%s'] * len(values.fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [values(obj) for obj in objs])


def update_rows(model: type[models.Model], objs: list[models.Model], names: list[str]) -> None:
    """UPDATE … WHERE id = %s for each object, in one executemany per batch."""
    values = _Values(model, [*names, model._meta.pk.name])
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(model._meta.db_table)} SET "  # noqa: S608 - names from the model
           + ", ".join(f"{quote(f.column)} = %s" for f in values.fields[:-1])
           + f" WHERE {quote(model._meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        for batch in chunks(objs, BATCH):
            cursor.executemany(sql, [values(obj) for obj in batch])
