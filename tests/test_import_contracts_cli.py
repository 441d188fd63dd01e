"""The import contracts of docs/product.md through the real `unsilo` command, on a database
that `unsilo migrate` made in a temporary data directory: the silos CSV, the people CSV's seat
column and resolved history's times and consults."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.inbox.factories import history_line


def unsilo(env, *args):
    command = [str(Path(sys.executable).with_name("unsilo")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)


def migrated(tmp_path) -> tuple[dict, Path]:
    env = {**os.environ, "UNSILO_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    result = unsilo(env, "migrate")
    assert result.returncode == 0, result.stderr
    return env, tmp_path / "data" / "unsilo.sqlite3"


def rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def test_silos_then_people_with_seats(tmp_path):
    env, database = migrated(tmp_path)
    silos = tmp_path / "silos.csv"
    silos.write_text("name,kind,parent\nSocial COE Hub,hub,\nSales DACH,department,Region DACH\n"
                     "Region DACH,region,\n", encoding="utf-8")
    dry = unsilo(env, "org", "import-silos", str(silos), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would create 3 silos" in dry.stdout
    assert rows(database, "SELECT count(*) FROM org_silo") == [(0,)]
    done = unsilo(env, "org", "import-silos", str(silos))
    assert done.returncode == 0, done.stderr
    assert rows(database, "SELECT s.name, p.name FROM org_silo s JOIN org_silo p "
                          "ON s.parent_id = p.id") == [("Sales DACH", "Region DACH")]
    assert "Nothing changed: all 3 silos" in unsilo(env, "org", "import-silos",
                                                     str(silos)).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,parent\nHub Two,hub,\nPrivacy,department,Nowhere\n",
                   encoding="utf-8")
    refused = unsilo(env, "org", "import-silos", str(bad))
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-3:] == [
        "line 2: kind: a second hub (Social COE Hub in unsilo is the hub; there is one)",
        'line 3: parent: unknown silo "Nowhere" (neither in the file nor in unsilo)',
        f"Nothing was imported: 2 lines need fixing in {bad}.",
    ]

    people = tmp_path / "people.csv"
    people.write_text("email,name,title,silo,seat\nann@x.com,Ann Lee,Lead,Sales DACH,captain\n"
                      "bob@x.com,Bob Roe,Clerk,Sales DACH,delegate\n", encoding="utf-8")
    seated = unsilo(env, "org", "import", str(people))
    assert seated.returncode == 0, seated.stderr
    assert "seats: 2 people seated, 0 roles changed, 0 unseated." in seated.stdout
    people.write_text("email,name,title,silo,seat\nann@x.com,Ann Lee,Lead,Sales DACH,captain\n"
                      "bob@x.com,Bob Roe,Clerk,Sales DACH,\n", encoding="utf-8")
    unseated = unsilo(env, "org", "import", str(people))
    assert "seats: 0 people seated, 0 roles changed, 1 unseated." in unseated.stdout
    assert rows(database, "SELECT p.email, m.role FROM org_seatmember m JOIN org_person p "
                          "ON m.person_id = p.id") == [("ann@x.com", "captain")]
    assert rows(database, "SELECT action, count(*) FROM core_auditevent WHERE object_type = "
                          "'org.seatmember' GROUP BY action ORDER BY action") == [
        ("create", 2), ("delete", 1)]


def test_history_with_times_and_consults(tmp_path):
    env, database = migrated(tmp_path)
    history = tmp_path / "history.jsonl"
    lines = [history_line(n, "Billing", f"refund for order {n} still missing", "ann@x.com",
                          answered_at="2026-03-01T10:00:00Z",
                          resolved_at="2026-03-01T12:00:00+02:00",
                          consulted=["lou.law@x.com"]) for n in range(1, 7)]
    history.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    done = unsilo(env, "inbox", "import-history", str(history))
    assert done.returncode == 0, done.stderr
    assert "6 examples created" in done.stdout and "6 people consulted" in done.stdout
    assert rows(database, "SELECT DISTINCT p.email FROM inbox_resolvedconsult c "
                          "JOIN org_person p ON c.person_id = p.id") == [("lou.law@x.com",)]
    assert rows(database, "SELECT count(*) FROM inbox_resolvedexample "
                          "WHERE resolved_at = '2026-03-01 10:00:00'") == [(6,)]
    again = unsilo(env, "inbox", "import-history", str(history))
    assert "Nothing changed: all 6 lines" in again.stdout
    lines[2]["resolved_at"] = "2026-02-01T00:00:00Z"
    history.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    refused = unsilo(env, "inbox", "import-history", str(history))
    assert refused.returncode == 1
    assert ("line 3: resolved_at: before created_at (2026-02-01T00:00:00+00:00 < "
            "2026-03-01T09:30:00+00:00)") in refused.stderr
