"""The people CSV's `seat` column (docs/product.md, "People CSV"): captain or delegate seats a
person for their silo, an empty cell unseats them there, a file without the column leaves seats
alone; bad values are bad lines; every seat change has its audit row; re-imports change nothing."""

import pytest

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Via
from unsilo.org.importer import SeatCounts, apply_people_import, parse_people_csv
from unsilo.org.models import Person, SeatMember, SeatRole, Silo

pytestmark = pytest.mark.django_db

CLI = Actor.system(via=Via.CLI, label="cli:tester")
SEATED = (
    "email,name,title,silo,seat",
    "ann@x.com,Ann Lee,Lead,Sales,captain",
    "bob@x.com,Bob Roe,Clerk,Sales,Delegate",
    "cat@x.com,Cat Ng,Counsel,Legal,",
)


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def import_csv(*lines: str):
    plan = parse_people_csv(csv(*lines))
    assert plan.errors == []
    return apply_people_import(CLI, plan)


def seats() -> set[tuple[str, str, str]]:
    return set(SeatMember.objects.values_list("silo__name", "person__email", "role"))


def test_the_seat_column_seats_people_for_their_silo_with_an_audit_row_each():
    result = import_csv(*SEATED)
    assert result.seats == SeatCounts(added=2)
    assert seats() == {("Sales", "ann@x.com", "captain"), ("Sales", "bob@x.com", "delegate")}
    ann = SeatMember.objects.get(person__email="ann@x.com")
    row = AuditEvent.objects.get(object_type="org.seatmember", object_id=str(ann.pk))
    assert (row.action, row.via, row.actor_label, row.silo_id) == ("create", "cli", "cli:tester",
                                                                   ann.silo_id)
    assert row.object_repr == "Ann Lee (Captain, Sales)"
    assert row.changes["role"] == [None, "captain"]
    assert row.changes["person"] == [None, ann.person_id]


def test_reimporting_the_same_seats_changes_nothing():
    import_csv(*SEATED)
    before = factories.org_counts(), seats()
    plan = parse_people_csv(csv(*SEATED))
    assert plan.seats == SeatCounts() and not plan.changes_anything
    result = apply_people_import(CLI, plan)
    assert not result.changed_anything
    assert (factories.org_counts(), seats()) == before


def test_a_new_role_changes_the_seat_and_an_empty_cell_unseats_the_person():
    import_csv(*SEATED)
    plan = parse_people_csv(csv(
        "email,name,title,silo,seat",
        "ann@x.com,Ann Lee,Lead,Sales,delegate",
        "bob@x.com,Bob Roe,Clerk,Sales,",
        "cat@x.com,Cat Ng,Counsel,Legal,captain",
    ))
    assert plan.seats == SeatCounts(added=1, changed=1, removed=1)
    assert (plan.creates, plan.updates, plan.unchanged) == (0, 0, 3)
    assert plan.changes_anything
    apply_people_import(CLI, plan)
    assert seats() == {("Sales", "ann@x.com", "delegate"), ("Legal", "cat@x.com", "captain")}
    rows = AuditEvent.objects.filter(object_type="org.seatmember")
    changed = rows.get(action="update")
    assert changed.changes == {"role": ["captain", "delegate"]}
    removed = rows.get(action="delete")
    assert removed.object_repr == "Bob Roe (Delegate, Sales)"
    assert removed.changes["role"] == ["delegate", None]


def test_seats_the_file_does_not_speak_for_stay():
    region = factories.silo("Region DACH")
    sales = factories.silo("Sales DACH", parent=region)
    ann = factories.person(sales, email="ann@x.com", name="Ann Lee")
    dora = factories.person(sales, email="dora@x.com")
    factories.seat(region, ann, SeatRole.DELEGATE)  # a seat for the region, not her silo
    factories.seat(sales, dora, SeatRole.CAPTAIN)  # someone the file does not name
    import_csv("email,name,title,silo,seat", "ann@x.com,Ann Lee,Lead,Sales DACH,")
    assert seats() == {("Region DACH", "ann@x.com", "delegate"),
                       ("Sales DACH", "dora@x.com", "captain")}
    import_csv("email,name,title,silo", "dora@x.com,Dora,Lead,Sales DACH")
    assert ("Sales DACH", "dora@x.com", "captain") in seats()


def test_a_person_moved_by_the_file_is_seated_in_their_new_silo():
    import_csv(*SEATED)
    import_csv("email,name,title,silo,seat", "cat@x.com,Cat Ng,Counsel,Privacy,captain")
    assert ("Privacy", "cat@x.com", "captain") in seats()
    assert Person.objects.get(email="cat@x.com").silo.name == "Privacy"
    assert Silo.objects.filter(name="Privacy").count() == 1


def test_a_seat_that_is_not_captain_or_delegate_is_a_bad_line():
    before = factories.org_counts()
    plan = parse_people_csv(csv(
        "email,name,title,silo,seat",
        "ann@x.com,Ann Lee,Lead,Sales,boss",
        "bob@x.com,Bob Roe,Clerk,Sales,CAPTAIN",
        "cat@x.com,,Counsel,Legal,chair",
    ))
    assert plan.errors == [
        (2, 'seat "boss" is not captain or delegate (leave it empty for no seat)'),
        (4, 'missing name; seat "chair" is not captain or delegate (leave it empty for no '
            "seat)"),
    ]
    assert factories.org_counts() == before and seats() == set()
