"""A refusal is an everyday answer, not a crash: one line in the log, without a traceback."""

import logging

import pytest

from tests import factories
from unsilo.core.models import Role

pytestmark = pytest.mark.django_db


def test_a_refused_page_logs_one_line_without_a_traceback(client, caplog):
    client.force_login(factories.user(Role.VIEWER))
    with caplog.at_level(logging.INFO):
        response = client.get("/admin/audit/")
    assert response.status_code == 403
    lines = [r for r in caplog.records if "/admin/audit/" in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in caplog.records]
    line = lines[0]
    assert line.levelno in (logging.INFO, logging.WARNING)
    assert line.exc_info is None and line.exc_text is None
    assert "\n" not in line.getMessage()
    assert "Forbidden" in line.getMessage()


def test_a_refused_api_call_logs_one_line_without_a_traceback(api, caplog):
    client = api(factories.user(Role.VIEWER))
    with caplog.at_level(logging.INFO):
        response = client.post("/api/v1/silos", {"name": "X"}, content_type="application/json")
    assert response.status_code == 403
    assert all(r.exc_info is None for r in caplog.records)
    assert len([r for r in caplog.records if "/api/v1/silos" in r.getMessage()]) == 1
