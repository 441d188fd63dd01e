"""`unsilo org import FILE [--dry-run]`: exit codes, what it prints, and what it writes."""

import getpass

import pytest
from click.testing import CliRunner

from tests import factories
from unsilo.core.models import AuditEvent
from unsilo.org.cli import org
from unsilo.org.models import Person

pytestmark = pytest.mark.django_db

GOOD = factories.PEOPLE_CSV
BAD = (
    "email,name,title,silo,manager_email\n"
    "ann@x.com,Ann Lee,Analyst,Sales,\n"
    "bob@,Bob Roe,Clerk,Legal,\n"
    "ann@x.com,Ann Again,Clerk,Legal,\n"
    "dan@x.com,Dan,Clerk,Legal,carl@x.com\n"
)


def run(tmp_path, text: str, *options: str, encoding: str = "utf-8"):
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return CliRunner().invoke(org, ["import", str(path), *options])


def test_import_creates_people_and_silos_and_prints_a_summary(tmp_path):
    result = run(tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    assert "3 people created, 0 updated, 0 unchanged; 2 silos created (Sales, Legal)." in \
        result.stdout
    assert "Validating" in result.stderr and "Writing" in result.stderr
    assert Person.objects.get(email="ann@x.com").manager.email == "cat@x.com"


def test_audit_rows_name_the_cli_and_who_ran_it(tmp_path):
    run(tmp_path, GOOD)
    ann = Person.objects.get(email="ann@x.com")
    row = AuditEvent.objects.get(object_type="org.person", object_id=str(ann.pk))
    assert (row.action, row.via, row.actor_label) == ("create", "cli",
                                                      f"cli:{getpass.getuser()}")
    assert AuditEvent.objects.filter(object_type="org.person", action="create").count() == 3
    assert AuditEvent.objects.filter(object_type="org.silo", action="create").count() == 2


def test_reimporting_the_same_file_says_nothing_changed(tmp_path):
    run(tmp_path, GOOD)
    before = factories.org_counts()
    result = run(tmp_path, GOOD)
    assert result.exit_code == 0
    assert "Nothing changed: all 3 people" in result.stdout
    assert "already up to date" in result.stdout
    assert factories.org_counts() == before


def test_reimport_reports_updates_and_unchanged(tmp_path):
    run(tmp_path, GOOD)
    result = run(tmp_path, GOOD.replace("Bob Roe,Clerk", "Bob Roe,Senior Clerk"))
    assert result.exit_code == 0
    assert "0 people created, 1 updated, 2 unchanged; 0 silos created." in result.stdout


def test_a_bad_file_lists_every_bad_line_imports_nothing_and_exits_1(tmp_path):
    factories.silo("Sales")
    before = factories.org_counts()
    result = run(tmp_path, BAD)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-4:] == [
        'line 3: malformed email "bob@"',
        "line 4: duplicate email ann@x.com (first on line 2)",
        "line 5: unknown manager carl@x.com",
        "Nothing was imported: 3 lines need fixing in " + str(tmp_path / "people.csv") + ".",
    ]
    assert factories.org_counts() == before


def test_a_file_that_is_not_utf8_is_refused_line_by_line(tmp_path):
    result = run(tmp_path, "email,name,title,silo\nzoe@x.com,Zoé,Lead,Sales\n",
                 encoding="latin-1")
    assert result.exit_code == 1
    assert "line 2: not UTF-8 (byte 0xe9 at column 13); save the file as UTF-8" in result.stderr
    assert Person.objects.count() == 0


def test_missing_columns_are_named(tmp_path):
    result = run(tmp_path, "email,name,title\nann@x.com,Ann,Lead\n")
    assert result.exit_code == 1
    assert "line 1: missing column(s): silo" in result.stderr


def test_dry_run_says_what_would_happen_and_writes_nothing(tmp_path):
    before = factories.org_counts()
    result = run(tmp_path, GOOD, "--dry-run")
    assert result.exit_code == 0
    assert "Dry run: " in result.stdout
    assert "would create 3 people, update 0, leave 0 unchanged and create 2 silos " \
           "(Sales, Legal). Nothing was written." in result.stdout
    assert factories.org_counts() == before


def test_dry_run_of_a_bad_file_exits_1(tmp_path):
    result = run(tmp_path, BAD, "--dry-run")
    assert result.exit_code == 1
    assert 'line 3: malformed email "bob@"' in result.stderr
    assert Person.objects.count() == 0


def test_a_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(org, ["import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "No such file" in result.output


def test_dry_run_of_a_file_already_imported_says_nothing_would_change(tmp_path):
    run(tmp_path, GOOD)
    result = run(tmp_path, GOOD, "--dry-run")
    assert result.exit_code == 0
    assert "Dry run: nothing would change; all 3 people" in result.stdout



def test_the_seat_column_is_summed_up_in_the_dry_run_and_the_import(tmp_path):
    seated = "email,name,title,silo,seat\nann@x.com,Ann Lee,Lead,Sales,captain\n"
    dry = run(tmp_path, seated, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert ("would create 1 person, update 0, leave 0 unchanged and create 1 silo (Sales); "
            "seats: 1 person seated, 0 roles changed, 0 unseated. Nothing was written.") \
        in dry.stdout
    done = run(tmp_path, seated)
    assert "1 silo created (Sales); seats: 1 person seated, 0 roles changed, 0 unseated." in \
        done.stdout
    unseated = run(tmp_path, seated.replace(",captain", ","))
    assert ("0 people created, 0 updated, 1 unchanged; 0 silos created; seats: 0 people "
            "seated, 0 roles changed, 1 unseated.") in unseated.stdout
    assert "Nothing changed" in run(tmp_path, seated.replace(",captain", ",")).stdout


def test_a_bad_seat_is_a_bad_line(tmp_path):
    result = run(tmp_path, "email,name,title,silo,seat\nann@x.com,Ann,Lead,Sales,chief\n")
    assert result.exit_code == 1
    assert 'line 2: seat "chief" is not captain or delegate (leave it empty for no seat)' in \
        result.stderr


SILOS = "name,kind,parent\nSocial COE Hub,hub,\nSales,department,Region\nRegion,region,\n"


def run_silos(tmp_path, text: str, *options: str):
    path = tmp_path / "silos.csv"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(org, ["import-silos", str(path), *options])


def test_import_silos_dry_run_then_import_then_nothing_changed(tmp_path):
    before = factories.org_counts()
    dry = run_silos(tmp_path, SILOS, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert ("would create 3 silos (Social COE Hub, Sales, Region), update 0 and leave 0 "
            "unchanged. Nothing was written.") in dry.stdout
    assert factories.org_counts() == before
    done = run_silos(tmp_path, SILOS)
    assert done.exit_code == 0, done.output
    assert "3 silos created (Social COE Hub, Sales, Region), 0 updated, 0 unchanged." in \
        done.stdout
    assert "Validating" in done.stderr and "Writing" in done.stderr
    rows = AuditEvent.objects.filter(object_type="org.silo", action="create")
    assert {(r.via, r.actor_label) for r in rows} == {("cli", f"cli:{getpass.getuser()}")}
    again = run_silos(tmp_path, SILOS)
    assert "Nothing changed: all 3 silos" in again.stdout
    moved = run_silos(tmp_path, "name,kind,parent\nSales,department,\n")
    assert "0 silos created, 1 updated (Sales), 0 unchanged." in moved.stdout


def test_import_silos_lists_every_bad_line_and_exits_1(tmp_path):
    result = run_silos(tmp_path, "name,kind,parent\nA,department,B\nB,department,A\n"
                                 "C,hub,\nD,hub,\n")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-4:] == [
        "line 2: parent: the silos would sit inside each other in a loop (A → B → A)",
        "line 3: parent: the silos would sit inside each other in a loop (B → A → B)",
        "line 5: kind: a second hub (C on line 4 is the hub; there is one)",
        "Nothing was imported: 3 lines need fixing in " + str(tmp_path / "silos.csv") + ".",
    ]
    assert factories.org_counts() == (0, 0, 0)
