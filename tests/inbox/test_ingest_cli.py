"""`unsilo ingest FILE.jsonl [--wait]`: line-numbered errors, all or nothing, counts."""

import json

import pytest
from click.testing import CliRunner

from tests.inbox import factories as inbox_factories
from unsilo.inbox.cli.ingest import ingest
from unsilo.inbox.models import Conversation, Message, MessageState, RoutingDecision

pytestmark = pytest.mark.django_db


def line(n, **fields) -> str:
    item = {"id": f"m{n}", "network": "x", "text": f"Refund for order {n}?",
            "author": "@bob", "created_at": "2026-03-01T09:30:00+01:00"}
    item.update(fields)
    return json.dumps(item, ensure_ascii=False)


def run(tmp_path, data: str | bytes, *options: str):
    path = tmp_path / "in.jsonl"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return CliRunner().invoke(ingest, [str(path), *options])


def test_a_good_file_is_stored_with_new_and_duplicate_counts(tmp_path):
    result = run(tmp_path, "\n".join([line(1), "", line(2), line(1)]) + "\n")
    assert result.exit_code == 0, result.output
    assert "2 new, 1 duplicate (already stored)" in result.stdout
    assert "Storing" in result.stderr
    assert Message.objects.filter(state=MessageState.RECEIVED).count() == 2
    again = run(tmp_path, "\n".join([line(1), line(2)]))
    assert "0 new, 2 duplicates" in again.stdout


def test_every_bad_line_is_listed_by_physical_line_and_nothing_is_stored(tmp_path):
    data = "\n".join([
        line(1),
        "",
        '{"id": "m2", "network": "x"',
        line(3, network="orkut?"),
        line(4, created_at="01/03/2026"),
        "[1, 2]",
        line(6, text="nul \u0000 here"),
        line(7),
    ]).encode() + b"\n" + line(9, text="caf\u00e9").encode().replace("\xc3\xa9".encode("latin-1"),
                                                                    b"\xe9")
    result = run(tmp_path, data)
    assert result.exit_code == 1
    err = result.stderr
    assert "line 3: not valid JSON (Expecting ',' delimiter at column 28)" in err
    assert 'line 4: network: "orkut?" is not a network name' in err
    assert "line 5: created_at:" in err and "ISO 8601" in err
    assert "line 6: must be a JSON object, got array" in err
    assert "line 7: text: contains a NUL byte (\\u0000)" in err
    assert "line 9: not UTF-8 (byte 0xe9 at column" in err
    assert "Nothing was stored: 6 lines need fixing" in err
    assert Message.objects.count() == 0


def test_a_byte_order_mark_and_windows_line_ends_are_fine(tmp_path):
    data = b"\xef\xbb\xbf" + (line(1) + "\r\n" + line(2) + "\r\n").encode()
    result = run(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert Message.objects.count() == 2


def test_wait_processes_and_says_how_many_were_routed(tmp_path, monkeypatch):
    inbox_factories.fixed_routing(monkeypatch)
    data = "\n".join([line(1), line(2, in_reply_to="m1"), line(3)])
    result = run(tmp_path, data, "--wait")
    assert result.exit_code == 0, result.output
    assert "2 conversations; 2 routed, 2 of them to the hub's triage queue" in result.stdout
    assert Conversation.objects.count() == 2
    assert RoutingDecision.objects.count() == 2
    assert not Message.objects.filter(state=MessageState.RECEIVED).exists()


def test_the_same_id_twice_in_one_file_with_another_text_is_a_bad_line(tmp_path):
    result = run(tmp_path, "\n".join([line(1), "", line(1, text="Another text"), line(1)]))
    assert result.exit_code == 1
    assert ('line 3: id: duplicate id "m1" on x with a different text (first on line 1)'
            in result.stderr)
    assert "Nothing was stored: 1 line needs fixing" in result.stderr
    assert Message.objects.count() == 0
