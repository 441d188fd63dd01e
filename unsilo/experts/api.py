"""Find an expert, and what one person has shown they can answer: parse, call one read,
answer a schema. Roles are checked by the reads themselves, as in the web UI."""

from django.core.exceptions import ValidationError
from ninja import Router

from unsilo.core.api import found
from unsilo.core.schemas import Id, errors
from unsilo.experts import queries, ranking
from unsilo.experts.schemas import ExpertiseOut, ExpertSearchIn, ExpertSearchOut
from unsilo.org import queries as org_queries

router = Router(tags=["Experts"])


def _hit(e: ranking.Expert) -> dict:
    return {
        "person": e.person, "title": e.person.title, "silo_id": e.person.silo_id,
        "silo": e.person.silo.name, "skills": e.person.skills, "score": round(e.score, 4),
        "match": e.bar, "matched": [{"term": t, "conversations": n} for t, n in e.terms],
        "intent_resolved": e.intent[1] if e.intent else 0, "resolved": e.resolved,
        "consulted": e.consulted, "last_at": e.last_at,
        "silos": [{"silo": s, "conversations": n} for s, n in e.silos],
        "availability": {"available": e.available, **{
            kind: e.unavailable.get(kind) for kind in ("absent", "at_capacity",
                                                       "outside_hours")}},
        "reasons": e.reasons,
    }


@router.post("/experts/search", response={200: ExpertSearchOut, **errors(403, 422)},
             summary="Find an expert")
def search(request, payload: ExpertSearchIn):
    """People of every silo ranked by what they resolved and were consulted on, with the
    words that matched and whether they can take it now."""
    if not payload.q.strip():
        raise ValidationError({"q": "Type a question or paste a message first."})
    found_ = ranking.find(request.actor, payload.q, limit=payload.limit,
                          available_only=payload.available_only)
    return {"intent": found_.intent, "terms": found_.terms, "indexed": found_.indexed,
            "experts": [_hit(e) for e in found_.experts]}


@router.get("/people/{person_id}/expertise", response={200: ExpertiseOut, **errors(403, 404)},
            summary="What a person has shown they can answer")
def expertise(request, person_id: Id):
    person = found(org_queries.people(request.actor), person_id, "person")
    shown = queries.shown_by(request.actor, person)
    return {
        "person_id": person.pk, "resolved": shown.resolved, "consulted": shown.consulted,
        "last_at": shown.last_at,
        "topics": [{"term": t, "conversations": n} for t, n in shown.topics],
        "intents": [{"intent": name, "resolved": n} for name, n, _ in shown.intents],
        "silos": [{"silo_id": s.silo.pk, "silo": s.silo.name, "resolved": s.resolved,
                   "consulted": s.consulted, "last_at": s.last_at} for s in shown.silos],
    }
