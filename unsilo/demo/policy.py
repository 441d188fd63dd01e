"""The demo company's publishing policy, written through the publishing actions: disclosure
labels per network, banned and risky terms, regulated claims in the demo's languages that need
Legal, an allow list of link domains, alt text, and its hub admin certified for every account."""

from unsilo.accounts.models import Account, AccountStatus
from unsilo.core.actor import Actor
from unsilo.core.models import Role, User
from unsilo.org.models import Silo
from unsilo.publishing import actions
from unsilo.publishing.models import ReviewerKind, RuleKind

HUB, LEGAL, MARKETING, COMMS = ("Social COE Hub", "Legal", "Marketing",
                                "Corporate Communications")

# (kind, name, terms, network, scope silo, reviewer silo, reviewer)
RULES = [
    (RuleKind.DISCLOSURE, "Paid partnership on Instagram",
     ["Paid partnership", "#ad", "#anzeige", "#werbung", "#publicite", "#publicidad"],
     "instagram", None, MARKETING, ReviewerKind.REVIEWER),
    (RuleKind.DISCLOSURE, "Paid partnership on Facebook",
     ["Paid partnership", "#ad", "#anzeige", "#werbung", "#publicite", "#publicidad"],
     "facebook", None, MARKETING, ReviewerKind.REVIEWER),
    (RuleKind.DISCLOSURE, "Paid partnership on TikTok", ["Paid partnership", "#ad"],
     "tiktok", None, MARKETING, ReviewerKind.REVIEWER),
    (RuleKind.DISCLOSURE, "Paid promotion on YouTube", ["Includes paid promotion", "#ad"],
     "youtube", None, MARKETING, ReviewerKind.REVIEWER),
    (RuleKind.DISCLOSURE, "#ad everywhere else",
     ["#ad", "#sponsored", "#anzeige", "#werbung", "#publicite", "#publicidad"],
     "", None, MARKETING, ReviewerKind.REVIEWER),
    (RuleKind.REGULATED, "Guarantees and cures",
     ["guaranteed", "guarantee", "cure", "cures", "risk-free", "no risk",
      "garantiert", "Garantie", "heilt", "Heilung", "risikofrei", "ohne Risiko",
      "garanti", "garantie", "guérit", "guérison", "sans risque",
      "garantizado", "garantía", "cura", "sin riesgo", "libre de riesgo",
      "garantito", "senza rischi", "garantido", "sem risco", "gegarandeerd", "zonder risico",
      "保証", "完治"],
     "", None, LEGAL, ReviewerKind.REVIEWER),
    (RuleKind.REGULATED, "Health and safety claims",
     ["kills 99.9%", "antibacterial", "allergy-free", "antibakteriell", "antibactérien",
      "antibacteriano"],
     "", None, LEGAL, ReviewerKind.REVIEWER),
    (RuleKind.BANNED, "Slurs and profanity (hub list)",
     ["fuck", "shit", "retard", "scheiße", "putain", "mierda"], "", None, None,
     ReviewerKind.CAPTAINS),
    (RuleKind.RISKY, "Crisis words", ["recall", "lawsuit", "fire hazard", "Rückruf", "Klage",
                                      "rappel", "demande", "retirada", "demanda"],
     "", None, COMMS, ReviewerKind.CAPTAINS),
    (RuleKind.RISKY, "Care never promises refunds in public",
     ["full refund", "refund today", "compensation", "Erstattung", "remboursement",
      "reembolso"], "", "Customer Care", "Customer Care", ReviewerKind.CAPTAINS),
    (RuleKind.ALLOWED_DOMAINS, "Our own sites and partners",
     ["meridian.example", "meridianhome.example", "bsky.app", "youtube.com", "youtu.be"],
     "", None, HUB, ReviewerKind.CAPTAINS),
    (RuleKind.ALT_TEXT, "Every image has alt text", [], "", None, HUB, ReviewerKind.CAPTAINS),
]


def seed_policy(actor: Actor) -> int:
    """The rules and the hub admin's certifications; returns how many rules."""
    silos = {s.name: s for s in Silo.objects.all()}
    for kind, name, terms, network, scope, reviewer_silo, reviewer in RULES:
        actions.add_rule(actor, {"kind": kind, "name": name, "terms": terms, "network": network,
                                 "silo": silos.get(scope), "reviewer_silo":
                                 silos.get(reviewer_silo), "reviewer": reviewer})
    hub_admin = (User.objects.filter(role=Role.HUB_ADMIN).exclude(person=None)
                 .select_related("person").order_by("pk").first())
    if hub_admin is not None:
        for account in Account.objects.exclude(
                status__in=[AccountStatus.UNREGISTERED, AccountStatus.RETIRED]):
            actions.certify(actor, hub_admin.person, account)
    return len(RULES)
