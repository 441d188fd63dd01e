"""Who may do what to a conversation: every inbox action against every kind of caller. A
refusal is PermissionDenied and changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions

pytestmark = pytest.mark.django_db

# caller: (role, sits in the conversation's silo, consulted on it)
CALLERS = {
    "hub_admin": (Role.HUB_ADMIN, False, False),
    "captain_own": (Role.CAPTAIN, True, False),
    "captain_other": (Role.CAPTAIN, False, False),
    "responder_own": (Role.RESPONDER, True, False),
    "responder_other": (Role.RESPONDER, False, False),
    "reviewer_own": (Role.REVIEWER, True, False),
    "viewer_own": (Role.VIEWER, True, False),
    "consulted_expert": (Role.RESPONDER, False, True),
}
WORKERS = {"hub_admin", "captain_own", "responder_own"}
ACTIONS = {
    "reply": (lambda a, w: actions.reply(a, w["conv"], "Hi"), WORKERS | {"consulted_expert"}),
    "note": (lambda a, w: actions.add_note(a, w["conv"], "fyi"),
             WORKERS | {"consulted_expert"}),
    "resolve": (lambda a, w: actions.resolve(a, w["conv"]), WORKERS | {"consulted_expert"}),
    "assign": (lambda a, w: actions.assign(a, w["conv"], w["colleague"]), WORKERS),
    "consult": (lambda a, w: actions.consult(a, w["conv"], w["colleague"]), WORKERS),
    "handoff": (lambda a, w: actions.handoff(a, w["conv"], w["elsewhere"], "theirs"), WORKERS),
}


@pytest.fixture
def world():
    home = factories.silo("Home")
    return {"home": home, "elsewhere": factories.silo("Elsewhere"),
            "conv": inbox.conversation(home), "colleague": factories.person(home)}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("caller", CALLERS)
def test_inbox_action_matrix(world, caller, action):
    role, own, consulted = CALLERS[caller]
    user = factories.user(role, world["home"] if own else world["elsewhere"])
    if consulted:
        inbox.consult(world["conv"], user.person)
    run, allowed = ACTIONS[action]
    if caller in allowed:
        run(Actor.for_user(user), world)
        assert AuditEvent.objects.exists()
    else:
        before = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            run(Actor.for_user(user), world)
        assert AuditEvent.objects.count() == before
