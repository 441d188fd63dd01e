"""Importing people from a CSV: every bad line is named, nothing is half-written, re-imports
update by email, managers are found anywhere, and every change has its audit row."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role, Via
from unsilo.org.importer import apply_people_import, parse_people_csv
from unsilo.org.models import Person, Silo, SiloKind

pytestmark = pytest.mark.django_db

CLI = Actor.system(via=Via.CLI, label="cli:tester")


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def import_csv(data: bytes, actor: Actor = CLI):
    plan = parse_people_csv(data)
    assert plan.errors == []
    return apply_people_import(actor, plan)


def outcome(result) -> tuple:
    """What an import did: people created, updated and unchanged, and the silos it created."""
    return result.created, result.updated, result.unchanged, result.silos_created


def test_every_bad_line_is_named_with_its_reason():
    factories.person(email="dora@x.com")
    plan = parse_people_csv(csv(
        "email,name,title,silo,timezone,manager_email",
        "ann@x.com,Ann Lee,Lead,Sales,,dora@x.com",
        ",Bob Roe,Clerk,Sales,,",
        "cat@x.com,,Clerk,Sales,,",
        "dan@x.com,Dan,Clerk,,,",
        "bob@,Bob,Clerk,Sales,,",
        "eve@x.com,Eve,Clerk,Sales,Mars/Base,",
        "ANN@x.com,Ann Again,Clerk,Sales,,",
        "fay@x.com,Fay,Clerk,Sales,,carl@x.com",
        "gus@x.com,Gus,Clerk",
        "hal@x.com,Hal,Clerk,Sales,,hal@x.com",
    ))
    assert plan.errors == [
        (3, "missing email"),
        (4, "missing name"),
        (5, "missing silo"),
        (6, 'malformed email "bob@"'),
        (7, 'unknown time zone "Mars/Base"'),
        (8, "duplicate email ann@x.com (first on line 2)"),
        (9, "unknown manager carl@x.com"),
        (10, "3 fields, the header has 6"),
        (11, "hal@x.com cannot be their own manager"),
    ]
    assert plan.rows == []


def test_a_line_with_several_problems_lists_them_all():
    plan = parse_people_csv(csv("email,name,title,silo", "nope,,Clerk,"))
    assert plan.errors == [(2, 'malformed email "nope"; missing name; missing silo')]


def test_missing_and_unknown_columns_are_named_on_line_1():
    plan = parse_people_csv(csv("email,name,title,foo,Bar", "ann@x.com,Ann,Lead,x,y"))
    assert len(plan.errors) == 1
    line, reason = plan.errors[0]
    assert line == 1
    assert "missing column(s): silo" in reason
    assert "unknown column(s): foo, bar" in reason


def test_an_empty_file_asks_for_the_header():
    assert parse_people_csv(b"").errors == [
        (1, "the first line must be the header: email,name,title,silo")
    ]


def test_lines_that_are_not_utf8_are_named_with_the_bad_byte():
    data = "email,name,title,silo\nann@x.com,Ann,Lead,Sales\nzoe@x.com,Zoé,Lead,Sales\n"
    plan = parse_people_csv(data.encode("latin-1"))
    assert plan.errors == [
        (3, "not UTF-8 (byte 0xe9 at column 13); save the file as UTF-8"),
    ]


def test_a_utf8_bom_and_windows_line_ends_are_accepted():
    data = "\ufeffemail,name,title,silo\r\nzoe@x.com,Zoé,Lead,Sales\r\n".encode()
    plan = parse_people_csv(data)
    assert plan.errors == []
    assert [(r.email, r.name) for r in plan.rows] == [("zoe@x.com", "Zoé")]


def test_line_numbers_count_physical_lines_when_a_quoted_value_spans_lines():
    plan = parse_people_csv(csv(
        "email,name,title,silo",
        'ann@x.com,Ann,"Lead,',
        'of everything",Sales',
        "",
        "bob@,Bob,Clerk,Sales",
    ))
    assert plan.errors == [(5, 'malformed email "bob@"')]


def test_columns_come_in_any_order_and_values_are_tidied():
    plan = parse_people_csv(csv(
        "Silo, Languages ,timezone,EMAIL,name,skills,title",
        "Sales,EN; pt-br;en,europe/paris, Ann@X.com ,Ann Lee,billing;; refunds;billing,Lead",
    ))
    assert plan.errors == []
    row = plan.rows[0]
    assert (row.email, row.silo, row.title) == ("ann@x.com", "Sales", "Lead")
    assert row.languages == ["en", "pt-BR"]
    assert row.skills == ["billing", "refunds"]
    assert row.timezone == "Europe/Paris"


def test_a_language_that_is_not_an_iso_code_is_refused():
    plan = parse_people_csv(csv("email,name,title,silo,languages", "a@x.com,A,T,S,en;English!"))
    assert plan.errors == [(2, 'language "English!" is not an ISO code (such as en, fr or pt-BR)')]


def test_a_bad_file_writes_nothing():
    factories.silo("Sales")
    before = factories.org_counts()
    plan = parse_people_csv(csv("email,name,title,silo", "ann@x.com,Ann,Lead,Legal", "bob@,B,T,X"))
    assert plan.errors == [(3, 'malformed email "bob@"')]
    with pytest.raises(ValidationError):
        apply_people_import(CLI, plan)
    assert factories.org_counts() == before


def test_import_creates_people_missing_silos_and_managers_from_anywhere():
    sales = factories.silo("Sales")
    boss = factories.person(sales, email="boss@x.com")
    result = import_csv(csv(
        "email,name,title,silo,manager_email,skills,languages,timezone",
        "ann@x.com,Ann Lee,Analyst,sales,cat@x.com,billing;refunds,en;de,Europe/Berlin",
        "bob@x.com,Bob Roe,Clerk,Legal & Privacy,boss@x.com,,,",
        "cat@x.com,Cat Ng,Lead,Legal & Privacy,,,,",
    ))
    assert outcome(result) == (3, 0, 0, ["Legal & Privacy"])
    legal = Silo.objects.get(name="Legal & Privacy")
    assert (legal.kind, legal.parent, legal.slug) == (SiloKind.DEPARTMENT, None, "legal-privacy")
    ann = Person.objects.get(email="ann@x.com")
    assert ann.silo == sales  # matched without regard to case
    assert ann.manager.email == "cat@x.com"  # a manager further down the file
    assert (ann.skills, ann.languages, ann.timezone) == (["billing", "refunds"], ["en", "de"],
                                                         "Europe/Berlin")
    assert Person.objects.get(email="bob@x.com").manager == boss  # a manager already stored
    cat = Person.objects.get(email="cat@x.com")
    assert (cat.manager, cat.timezone) == (None, "UTC")


def test_managers_who_manage_each_other_are_both_set():
    import_csv(csv(
        "email,name,title,silo,manager_email",
        "ann@x.com,Ann,Lead,Sales,bob@x.com",
        "bob@x.com,Bob,Lead,Sales,ann@x.com",
    ))
    ann, bob = Person.objects.get(email="ann@x.com"), Person.objects.get(email="bob@x.com")
    assert (ann.manager, bob.manager) == (bob, ann)
    created = AuditEvent.objects.get(object_type="org.person", object_id=str(ann.pk))
    assert created.changes["manager"] == [None, bob.pk]


def test_reimport_updates_by_email_only_what_changed():
    original = csv(
        "email,name,title,silo,skills",
        "ann@x.com,Ann Lee,Analyst,Sales,billing",
        "bob@x.com,Bob Roe,Clerk,Sales,",
    )
    import_csv(original)
    bob_before = Person.objects.get(email="bob@x.com")
    audit_rows = AuditEvent.objects.count()
    result = import_csv(csv(
        "email,name,title,silo,skills",
        "ANN@X.COM,Ann Lee,Senior Analyst,Legal,billing;refunds",
        "bob@x.com,Bob Roe,Clerk,Sales,",
    ))
    assert outcome(result) == (0, 1, 1, ["Legal"])
    ann = Person.objects.get(email="ann@x.com")
    assert (ann.title, ann.silo.name, ann.skills) == ("Senior Analyst", "Legal",
                                                      ["billing", "refunds"])
    assert Person.objects.get(email="bob@x.com").updated_at == bob_before.updated_at
    update = AuditEvent.objects.get(action="update", object_id=str(ann.pk))
    sales, legal = Silo.objects.get(name="Sales"), Silo.objects.get(name="Legal")
    assert update.changes == {
        "silo": [sales.pk, legal.pk],
        "skills": [["billing"], ["billing", "refunds"]],
        "title": ["Analyst", "Senior Analyst"],
    }
    assert update.silo_id == legal.pk
    # One update for Ann, one create for the silo Legal; nothing for Bob.
    assert AuditEvent.objects.count() == audit_rows + 2


def test_reimport_leaves_columns_the_file_does_not_have():
    sales = factories.silo("Sales")
    boss = factories.person(sales, email="boss@x.com")
    factories.person(sales, email="ann@x.com", name="Ann", title="Analyst", skills=["billing"],
                     languages=["fr"], timezone="Europe/Paris", manager=boss)
    result = import_csv(csv("email,name,title,silo", "ann@x.com,Ann,Lead,Sales"))
    assert result.updated == 1
    ann = Person.objects.get(email="ann@x.com")
    assert (ann.title, ann.skills, ann.languages, ann.timezone, ann.manager) == (
        "Lead", ["billing"], ["fr"], "Europe/Paris", boss)


def test_a_blank_manager_cell_clears_the_manager():
    sales = factories.silo("Sales")
    boss = factories.person(sales, email="boss@x.com")
    factories.person(sales, email="ann@x.com", name="Ann", title="Lead", manager=boss)
    import_csv(csv("email,name,title,silo,manager_email", "ann@x.com,Ann,Lead,Sales,"))
    assert Person.objects.get(email="ann@x.com").manager is None


def test_reimporting_the_same_file_changes_nothing():
    data = csv(
        "email,name,title,silo,manager_email,languages",
        "ann@x.com,Ann,Lead,Sales,bob@x.com,en",
        "bob@x.com,Bob,Boss,Sales,,en;fr",
    )
    import_csv(data)
    before = factories.org_counts()
    plan = parse_people_csv(data)
    assert (plan.creates, plan.updates, plan.unchanged, plan.new_silos) == (0, 0, 2, [])
    result = apply_people_import(CLI, plan)
    assert not result.changed_anything
    assert result.unchanged == 2
    assert factories.org_counts() == before


def test_the_plan_counts_what_the_import_will_do_and_writes_nothing():
    factories.person(factories.silo("Sales"), email="ann@x.com", name="Ann", title="Lead")
    before = factories.org_counts()
    plan = parse_people_csv(csv(
        "email,name,title,silo",
        "ann@x.com,Ann,Lead,Sales",
        "bob@x.com,Bob,Clerk,Support",
    ))
    assert (plan.creates, plan.updates, plan.unchanged, plan.new_silos) == (1, 0, 1, ["Support"])
    assert factories.org_counts() == before


def test_audit_rows_are_those_every_create_writes():
    import_csv(csv("email,name,title,silo", "ann@x.com,Ann Lee,Lead,Sales"))
    ann = Person.objects.get(email="ann@x.com")
    row = AuditEvent.objects.get(object_type="org.person", object_id=str(ann.pk))
    assert (row.action, row.actor_label, row.via, row.actor) == ("create", "cli:tester", "cli",
                                                                 None)
    assert row.object_repr == "Ann Lee <ann@x.com>"
    assert row.silo_id == ann.silo_id
    assert row.changes == audit.diff({}, audit.snapshot(ann))
    silo_row = AuditEvent.objects.get(object_type="org.silo", object_id=str(ann.silo_id))
    assert silo_row.action == "create"
    assert silo_row.changes["name"] == [None, "Sales"]


def test_only_the_hub_may_import():
    captain = factories.actor(Role.CAPTAIN)
    plan = parse_people_csv(csv("email,name,title,silo", "ann@x.com,Ann,Lead,Sales"))
    before = factories.org_counts()
    with pytest.raises(PermissionDenied):
        apply_people_import(captain, plan)
    assert factories.org_counts() == before
    hub_admin = factories.actor(Role.HUB_ADMIN)
    assert apply_people_import(hub_admin, plan).created == 1
    row = AuditEvent.objects.get(object_type="org.person")
    assert (row.actor, row.actor_label) == (hub_admin.user, hub_admin.user.email)


def test_the_import_checks_the_database_again_before_writing():
    boss = factories.person(email="boss@x.com")
    plan = parse_people_csv(csv("email,name,title,silo,manager_email",
                                "ann@x.com,Ann,Lead,Sales,boss@x.com"))
    assert plan.errors == []
    boss.delete()
    before = factories.org_counts()
    with pytest.raises(ValidationError) as error:
        apply_people_import(CLI, plan)
    assert error.value.messages == ["line 2: unknown manager boss@x.com"]
    assert factories.org_counts() == before


def test_progress_is_reported_for_validating_and_writing():
    seen = []
    data = csv("email,name,title,silo", *(f"p{i}@x.com,P {i},T,S" for i in range(50)))
    plan = parse_people_csv(data, progress=lambda *args: seen.append(args))
    apply_people_import(CLI, plan, progress=lambda *args: seen.append(args))
    phases = {phase for phase, _, _ in seen}
    assert phases == {"validating", "writing"}
    assert all(done <= total for _, done, total in seen)
    assert seen[-1][1] == seen[-1][2]
