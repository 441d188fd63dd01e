"""Person.search: what people search matches, filled in for everyone, and indexed so that a
search reads an index instead of the whole table."""

from django.db import migrations, models

from unsilo.org.models import search_text

BATCH = 2000
INDEXES = {
    # PostgreSQL: trigrams serve `search LIKE '%word%'`; the first two characters (a space and
    # the name's initial) serve one-letter searches, for which trigrams would read everyone.
    "postgresql": {
        "org_person_search_trgm": "USING gin (search gin_trgm_ops)",
        "org_person_search_initial": "(left(search, 2))",
    },
    # SQLite cannot use an index for LIKE '%word%', but scans this one instead of the table
    # (a third of the reading), and walks it in name order for a page without a row lookup.
    "sqlite": {"org_person_name_search": "(name, id, search)"},
}


def fill_search(apps, schema_editor):
    Person = apps.get_model("org", "Person")
    rows = Person.objects.order_by("pk").values_list("pk", "name", "email", "title", "skills")
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(pk__gt=last)[:BATCH]):
            cursor.executemany(
                "UPDATE org_person SET search = %s WHERE id = %s",
                [(search_text(name, email, title, skills), pk)
                 for pk, name, email, title, skills in batch],
            )
            last = batch[-1][0]


def add_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, how in INDEXES.get(vendor, {}).items():
        schema_editor.execute(f"CREATE INDEX {name} ON org_person {how}")


def drop_indexes(apps, schema_editor):
    # The extension stays: other tables may use it, and it costs nothing unused.
    for name in INDEXES.get(schema_editor.connection.vendor, {}):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0002_peopleimport"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="search",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_indexes, drop_indexes),
    ]
