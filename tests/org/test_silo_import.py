"""Importing silos from a CSV (docs/product.md, "Silos CSV"): a tree whose parents may come
anywhere in the file, every bad line named, all or nothing, audit rows through the org actions,
and re-imports that change nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role, Via
from unsilo.org.models import Silo, SiloKind
from unsilo.org.silo_import import apply_silos_import, check_silos_csv

pytestmark = pytest.mark.django_db

CLI = Actor.system(via=Via.CLI, label="cli:tester")
TREE = (
    "name,kind,parent",
    "Social COE Hub,hub,",
    "Sales DACH,department,Region DACH",
    "Region DACH,region,",
    "Legal,function,",
    "Privacy,department,Legal",
)


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def import_csv(data: bytes, actor: Actor = CLI):
    plan = check_silos_csv(data)
    assert plan.errors == []
    return apply_silos_import(actor, plan)


def tree() -> dict[str, tuple[str, str | None]]:
    """Every silo: name -> (kind, parent's name)."""
    return {s.name: (s.kind, s.parent.name if s.parent else None)
            for s in Silo.objects.select_related("parent")}


def test_a_tree_is_created_with_parents_named_anywhere_in_the_file():
    done = import_csv(csv(*TREE))
    assert done.created == ["Social COE Hub", "Sales DACH", "Region DACH", "Legal", "Privacy"]
    assert tree() == {
        "Social COE Hub": ("hub", None), "Region DACH": ("region", None),
        "Sales DACH": ("department", "Region DACH"), "Legal": ("function", None),
        "Privacy": ("department", "Legal"),
    }
    rows = AuditEvent.objects.filter(object_type="org.silo")
    assert sorted(rows.values_list("action", flat=True)) == ["create"] * 5
    assert {(r.via, r.actor_label) for r in rows} == {("cli", "cli:tester")}
    sales = Silo.objects.get(name="Sales DACH")
    assert rows.get(object_id=str(sales.pk)).changes["parent"] == [None, sales.parent_id]


def test_every_bad_line_is_named_with_its_field_and_nothing_is_written():
    factories.silo("Social COE Hub", kind=SiloKind.HUB)
    before = factories.org_counts()
    plan = check_silos_csv(csv(
        "name,kind,parent",
        ",department,",                       # 2
        "Sales,team,",                        # 3
        "Billing,department,Finance",         # 4
        "Legal,function,",                    # 5
        "legal,department,",                  # 6
        "Loop A,department,Loop B",           # 7
        "Loop B,department,Loop A",           # 8
        "Mirror,department,Mirror",           # 9
        "Second Hub,hub,",                    # 10
        "Short,department",                   # 11
        f"{'x' * 121},department,",           # 12
        "Kindless,,",                         # 13
    ))
    assert plan.errors == [
        (2, "name: missing silo name"),
        (3, 'kind: "team" is not a kind of silo '
            "(one of hub, region, department, function, business_unit)"),
        (4, 'parent: unknown silo "Finance" (neither in the file nor in unsilo)'),
        (6, "name: silo legal is already on line 5"),
        (7, "parent: the silos would sit inside each other in a loop "
            "(Loop A → Loop B → Loop A)"),
        (8, "parent: the silos would sit inside each other in a loop "
            "(Loop B → Loop A → Loop B)"),
        (9, "parent: a silo cannot sit inside itself"),
        (10, "kind: a second hub (Social COE Hub in unsilo is the hub; there is one)"),
        (11, "2 fields, the header has 3"),
        (12, "name: longer than 120 characters"),
        (13, "kind: missing kind (one of hub, region, department, function, business_unit)"),
    ]
    assert plan.rows == [] and not plan.changes_anything
    with pytest.raises(ValidationError):
        apply_silos_import(CLI, plan)
    assert factories.org_counts() == before


def test_two_hubs_in_one_file_name_the_first():
    plan = check_silos_csv(csv("name,kind", "Hub A,hub", "Sales,department", "Hub B,hub"))
    assert plan.errors == [(4, "kind: a second hub (Hub A on line 2 is the hub; there is one)")]


def test_a_parent_may_be_a_silo_unsilo_has_and_a_line_names_its_physical_line():
    factories.silo("Region Nordics", kind=SiloKind.REGION)
    plan = check_silos_csv(csv("name,kind,parent", '"Sales',
                               'Nordics",department,Region Nordics', "Bad,nope,"))
    assert plan.errors == [(4, 'kind: "nope" is not a kind of silo '
                               "(one of hub, region, department, function, business_unit)")]
    done = import_csv(csv("name,kind,parent", "Sales Nordics,department,region nordics"))
    assert tree()["Sales Nordics"] == ("department", "Region Nordics")
    assert done.created == ["Sales Nordics"]


def test_reimporting_the_same_file_changes_nothing():
    import_csv(csv(*TREE))
    before = factories.org_counts()
    plan = check_silos_csv(csv(*TREE))
    assert (plan.created, plan.updated, plan.unchanged) == ([], [], 5)
    assert not plan.changes_anything
    done = apply_silos_import(CLI, plan)
    assert (done.created, done.updated, done.unchanged) == ([], [], 5)
    assert factories.org_counts() == before


def test_known_silos_take_the_files_kind_and_parent_matched_by_name_case_aside():
    import_csv(csv(*TREE))
    done = import_csv(csv("name,kind,parent", "SALES DACH,function,", "Privacy,region,"))
    assert done.updated == ["Sales DACH", "Privacy"]
    assert tree()["Sales DACH"] == ("function", None)
    assert tree()["Privacy"] == ("region", None)
    sales = Silo.objects.get(name="Sales DACH")
    row = AuditEvent.objects.get(object_type="org.silo", object_id=str(sales.pk), action="update")
    region = Silo.objects.get(name="Region DACH")
    assert row.changes == {"kind": ["department", "function"], "parent": [region.pk, None]}


def test_without_a_parent_column_parents_stay():
    import_csv(csv(*TREE))
    import_csv(csv("name,kind", "Sales DACH,function"))
    assert tree()["Sales DACH"] == ("function", "Region DACH")


def test_a_file_that_turns_the_tree_upside_down_is_written_parents_first():
    import_csv(csv("name,kind,parent", "Top,region,", "Middle,region,Top", "Bottom,region,Middle"))
    import_csv(csv("name,kind,parent", "Top,region,Middle", "Middle,region,Bottom",
                   "Bottom,region,"))
    assert tree() == {"Bottom": ("region", None), "Middle": ("region", "Bottom"),
                      "Top": ("region", "Middle")}


def test_moving_silos_into_a_loop_with_a_silo_the_file_does_not_name_is_a_bad_line():
    import_csv(csv("name,kind,parent", "Top,region,", "Middle,region,Top"))
    plan = check_silos_csv(csv("name,kind,parent", "Top,region,Middle"))
    assert plan.errors == [(2, "parent: the silos would sit inside each other in a loop "
                               "(Top → Middle → Top)")]


def test_the_hub_moves_only_when_the_file_names_the_new_one():
    import_csv(csv("name,kind", "Old Hub,hub", "Sales,department"))
    plan = check_silos_csv(csv("name,kind", "Old Hub,department"))
    assert plan.errors == [(2, "kind: Old Hub is the hub; name another silo hub in the file "
                               "to move the hub there")]
    import_csv(csv("name,kind", "Old Hub,department", "Sales,hub"))
    assert [s.name for s in Silo.objects.filter(kind=SiloKind.HUB)] == ["Sales"]


def test_only_the_hub_admin_may_import_silos():
    plan = check_silos_csv(csv(*TREE))
    captain = factories.actor(Role.CAPTAIN)
    before = factories.org_counts()
    with pytest.raises(PermissionDenied):
        apply_silos_import(captain, plan)
    assert factories.org_counts() == before
    admin = factories.actor(Role.HUB_ADMIN)
    assert len(apply_silos_import(admin, plan).created) == 5
    assert AuditEvent.objects.filter(object_type="org.silo", actor=admin.user).count() == 5


def test_the_database_is_checked_again_before_writing():
    plan = check_silos_csv(csv("name,kind", "New Hub,hub"))
    assert plan.errors == []
    factories.silo("Someone Else's Hub", kind=SiloKind.HUB)
    before = factories.org_counts()
    with pytest.raises(ValidationError) as error:
        apply_silos_import(CLI, plan)
    assert error.value.messages == [
        "line 2: kind: a second hub (Someone Else's Hub in unsilo is the hub; there is one)"]
    assert factories.org_counts() == before


def test_progress_is_reported_for_validating_and_writing():
    seen = []
    data = csv("name,kind", *(f"Silo {i},department" for i in range(30)))
    plan = check_silos_csv(data, progress=lambda *args: seen.append(args))
    apply_silos_import(CLI, plan, progress=lambda *args: seen.append(args))
    assert {phase for phase, _, _ in seen} == {"validating", "writing"}
    assert all(done <= total for _, done, total in seen)
    assert seen[-1][1] == seen[-1][2]
