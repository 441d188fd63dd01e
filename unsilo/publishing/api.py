"""The publishing policy over the API: parse, call one action or query, answer a schema."""

from ninja import Router, Status
from ninja.pagination import paginate

from unsilo.accounts import queries as account_queries
from unsilo.core.api import found, input_names, referenced
from unsilo.core.schemas import Id, errors
from unsilo.org import queries as org_queries
from unsilo.publishing import actions, queries
from unsilo.publishing.schemas import (
    CertificationIn,
    CertificationOut,
    PauseIn,
    PauseOut,
    PolicyRuleIn,
    PolicyRuleOut,
    PolicyRulePatch,
)

router = Router(tags=["Publishing"])

CREATE_ERRORS = errors(403, 409, 422)
WRITE_ERRORS = errors(403, 404, 409, 422)


def _silo(request, silo_id: Id | None, field: str):
    if silo_id is None:
        return None
    return referenced(org_queries.silos(request.actor), silo_id, field, "silo")


@router.get("/rules", response={200: list[PolicyRuleOut], **errors(422)},
            summary="List policy rules")
@paginate
def list_rules(request):
    """The hub's policy rules by kind and name, with who reviews a post that fails each."""
    return queries.rules(request.actor)


@router.post("/rules", response={201: PolicyRuleOut, **CREATE_ERRORS}, summary="Add a policy rule")
def add_rule(request, payload: PolicyRuleIn):
    """A banned, risky or regulated-claims term list, disclosure labels, an allow list of link
    domains, or the alt-text rule. Hub admins only."""
    data = payload.dict(exclude={"silo_id", "reviewer_silo_id"})
    data["silo"] = _silo(request, payload.silo_id, "silo_id")
    data["reviewer_silo"] = _silo(request, payload.reviewer_silo_id, "reviewer_silo_id")
    with input_names(silo="silo_id", reviewer_silo="reviewer_silo_id"):
        rule = actions.add_rule(request.actor, data)
    return Status(201, found(queries.rules(request.actor), rule.pk, "rule"))


@router.patch("/rules/{rule_id}", response={200: PolicyRuleOut, **WRITE_ERRORS},
              summary="Change a policy rule")
def update_rule(request, rule_id: Id, payload: PolicyRulePatch):
    """Change the fields sent: its name, its terms (the whole list) or whether it is on."""
    rule = found(queries.rules(request.actor), rule_id, "rule")
    actions.update_rule(request.actor, rule, payload.dict(exclude_unset=True))
    return found(queries.rules(request.actor), rule_id, "rule")


@router.delete("/rules/{rule_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a policy rule")
def remove_rule(request, rule_id: Id):
    """Remove a rule; to keep it for later, set `enabled` to false instead."""
    actions.remove_rule(request.actor, found(queries.rules(request.actor), rule_id, "rule"))
    return Status(204, None)


@router.get("/pause", response={200: PauseOut}, summary="Get the pause switch")
def get_pause(request):
    """Whether the hub has paused all publishing, and why."""
    return queries.switch(request.actor)


@router.put("/pause", response={200: PauseOut, **errors(403, 409, 422)},
            summary="Pause or resume publishing")
def set_pause(request, payload: PauseIn):
    """Pause all publishing for a crisis, or switch it back on. Hub admins only."""
    return actions.set_paused(request.actor, payload.paused, payload.reason)


@router.get("/certifications", response={200: list[CertificationOut], **errors(422)},
            summary="List certifications")
@paginate
def list_certifications(request):
    """Who may publish on which account without review, and until when."""
    return queries.certifications(request.actor)


@router.post("/certifications", response={201: CertificationOut, **CREATE_ERRORS},
             summary="Certify or renew")
def certify(request, payload: CertificationIn):
    """Certify a person for an account until `expires_at`; renews a certification they hold."""
    person = referenced(org_queries.people(request.actor), payload.person_id, "person_id",
                        "person")
    account = referenced(account_queries.accounts(request.actor), payload.account_id,
                         "account_id", "account")
    cert = actions.certify(request.actor, person, account, payload.expires_at)
    return Status(201, found(queries.certifications(request.actor), cert.pk, "certification"))


@router.delete("/certifications/{certification_id}", response={204: None, **WRITE_ERRORS},
               summary="Revoke a certification")
def revoke(request, certification_id: Id):
    """The person's posts on that account are reviewed again."""
    cert = found(queries.certifications(request.actor), certification_id, "certification")
    actions.revoke(request.actor, cert)
    return Status(204, None)
