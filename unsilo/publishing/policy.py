"""The policy engine: the hub's rules compiled once, then each draft checked in pure CPU.

`Policy` is plain data (queries.load_policy reads it in a few queries); `Policy.check(draft)`
touches no database. Text is case-folded and stripped of accents, then cut into words the same
way as the terms, so "cure" never hits "secure", "GARANTÍA" hits "garantia", and a phrase
("risk-free", "sans risque") matches across spaces and hyphens. Terms of every language are
matched against every post, so a post mixing languages meets all of them. Terms in scripts
written without spaces (Chinese, Japanese, Thai) are found as substrings. docs/publishing.md
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from unsilo.publishing.models import RuleKind

# The names of the checks, in the order every answer lists them.
CHECKS = ("paused", "accounts_registered", "account_owner", "certified", "disclosure",
          "banned_terms", "risky_terms", "regulated_claims", "link_domains", "alt_text")
TERM_CHECKS = {RuleKind.BANNED: "banned_terms", RuleKind.RISKY: "risky_terms",
               RuleKind.REGULATED: "regulated_claims"}
NETWORK_ALIASES = {"twitter": "x"}
# Statuses of a registry entry nobody may publish on.
CLOSED = {"unregistered", "retired"}

_WORD = re.compile(r"#?[^\W_]+")
_NO_SPACES = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def fold(text: str) -> str:
    """Case-folded, without accents: the form terms and posts are compared in."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, hashtags keeping their "#"."""
    return _WORD.findall(fold(text))


def reviewer(silo_name: str, who: str) -> str:
    """How a reviewer is named: "Legal: captains", "Marketing: reviewer"."""
    return f"{silo_name}: {who}"


@dataclass(frozen=True)
class Rule:
    id: int
    kind: str
    name: str
    terms: tuple[str, ...]
    reviewers: tuple[str, ...] = ()
    silo_id: int | None = None  # None: every post
    network: str = ""  # disclosure: this network's labels only


@dataclass(frozen=True)
class AccountInfo:
    owner_silo_id: int | None
    owner: str  # the owning silo's name ("" when none)
    status: str
    steward_emails: frozenset = frozenset()


@dataclass
class Draft:
    id: str
    accounts: list[str]
    text: str
    author: str
    links: list[str] = field(default_factory=list)
    media: list[str | None] = field(default_factory=list)  # each item's alt text
    sponsored: bool = False


@dataclass
class Check:
    name: str
    passed: bool
    why: str
    reviewers: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"name": self.name, "passed": self.passed, "why": self.why,
                "reviewers": self.reviewers}


@dataclass
class Result:
    id: str
    checks: list[Check]

    @property
    def reviewers(self) -> list[str]:
        return list(dict.fromkeys(r for c in self.checks for r in c.reviewers))

    @property
    def auto_publish(self) -> bool:
        return all(c.passed for c in self.checks)

    def as_json(self) -> dict:
        return {"id": self.id, "checks": [c.as_json() for c in self.checks],
                "reviewers": self.reviewers, "auto_publish": self.auto_publish}


def _phrase(term: str) -> str:
    return " ".join(w.lstrip("#") for w in words(term)) if not term.startswith("#") \
        else fold(term).strip()


class Policy:
    """The hub's policy, compiled. `accounts` by (network, lowercased handle); `people` maps a
    lowercased email to its silo id; `certified` maps an email to {(network, handle): expiry}."""

    def __init__(self, *, rules: list[Rule], accounts: dict, people: dict, certified: dict,
                 hub: str, hub_silo_id: int | None, paused: bool = False, pause_reason: str = "",
                 now: datetime):
        self.accounts, self.people, self.certified = accounts, people, certified
        self.hub, self.hub_silo_id, self.now = hub, hub_silo_id, now
        self.paused, self.pause_reason = paused, pause_reason
        self.hub_reviewers = [reviewer(hub, "captains")]
        self.terms: dict[str, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
        self.unspaced: dict[str, list[tuple[str, Rule]]] = defaultdict(list)
        self.by_kind: dict[str, list[Rule]] = defaultdict(list)
        self.longest = 1
        for rule in rules:
            self.by_kind[rule.kind].append(rule)
            if rule.kind not in TERM_CHECKS:
                continue
            for term in rule.terms:
                if _NO_SPACES.search(term):
                    self.unspaced[rule.kind].append((fold(term), rule))
                elif phrase := _phrase(term):
                    self.terms[rule.kind][phrase].append(rule)
                    self.longest = max(self.longest, phrase.count(" ") + 1)
        for rule in self.by_kind[RuleKind.DISCLOSURE]:
            for label in rule.terms:
                self.longest = max(self.longest, _phrase(label).count(" ") + 1)

    # -- one draft --------------------------------------------------------------------------

    def check(self, draft: Draft) -> Result:
        targets = [self._target(a) for a in draft.accounts]
        owners = {info.owner_silo_id for _, info in targets if info is not None}
        folded = fold(draft.text)
        tokens = _WORD.findall(folded)
        plain = [t.lstrip("#") for t in tokens]
        grams = {t for t in tokens if t.startswith("#")}
        for n in range(1, self.longest + 1):
            grams.update(" ".join(plain[i:i + n]) for i in range(len(plain) - n + 1))

        def applies(rule: Rule) -> bool:
            return rule.silo_id is None or rule.silo_id in owners

        checks = [self._paused(), self._registered(targets), self._owner(draft, targets),
                  self._certified(draft, targets), self._disclosure(draft, targets, grams,
                                                                     applies)]
        for kind, name in TERM_CHECKS.items():
            checks.append(self._terms(kind, name, grams, folded, applies))
        checks.append(self._links(draft, applies))
        checks.append(self._alt_text(draft, applies))
        return Result(draft.id, checks)

    def _target(self, account: str) -> tuple[str, AccountInfo | None]:
        network, _, handle = account.partition(":")
        network = NETWORK_ALIASES.get(network.strip().lower(), network.strip().lower())
        key = (network, handle.strip().lstrip("@").lower())
        return f"{key[0]}:{key[1]}", self.accounts.get(key)

    def _paused(self) -> Check:
        if self.paused:
            why = "the hub has paused all publishing" + (f": {self.pause_reason}"
                                                         if self.pause_reason else "")
            return Check("paused", False, why, list(self.hub_reviewers))
        return Check("paused", True, "publishing is on")

    def _registered(self, targets) -> Check:
        unknown = [name for name, info in targets if info is None or info.status in CLOSED]
        if unknown:
            return Check("accounts_registered", False,
                         f"not an open account of the registry: {', '.join(unknown)}",
                         list(self.hub_reviewers))
        return Check("accounts_registered", True, "every account is in the registry")

    def _owner(self, draft: Draft, targets) -> Check:
        author = draft.author.strip().lower()
        silo_id = self.people.get(author)
        foreign = [(name, info) for name, info in targets if info is not None
                   and info.owner_silo_id is not None and silo_id != self.hub_silo_id
                   and info.owner_silo_id != silo_id and author not in info.steward_emails]
        if not foreign:
            return Check("account_owner", True, "the author's silo owns every account")
        who = "the author is not a person of the company" if silo_id is None else \
            "owned by another silo than the author's"
        return Check("account_owner", False,
                     f"{who}: {', '.join(name for name, _ in foreign)}",
                     list(dict.fromkeys(reviewer(i.owner, "captains") for _, i in foreign)))

    def _certified(self, draft: Draft, targets) -> Check:
        held = self.certified.get(draft.author.strip().lower(), {})
        missing = [(name, info) for name, info in targets
                   if not (expiry := held.get(tuple(name.split(":", 1)))) or expiry <= self.now]
        if not missing:
            return Check("certified", True, "the author is certified for every account")
        reviewers = [reviewer(i.owner, "captains") if i is not None and i.owner
                     else self.hub_reviewers[0] for _, i in missing]
        return Check("certified", False,
                     f"the author holds no valid certification for "
                     f"{', '.join(name for name, _ in missing)}", list(dict.fromkeys(reviewers)))

    def _disclosure(self, draft: Draft, targets, grams: set, applies) -> Check:
        if not draft.sponsored:
            return Check("disclosure", True, "not sponsored")
        failing, reviewers = [], []
        for name, _ in targets:
            network = name.split(":", 1)[0]
            rules = [r for r in self.by_kind[RuleKind.DISCLOSURE]
                     if applies(r) and r.network in ("", network)]
            labels = [label for r in rules for label in r.terms]
            if rules and not any(_phrase(label) in grams for label in labels):
                failing.append(f"{name} (one of: {', '.join(labels)})")
                reviewers += [rv for r in rules for rv in r.reviewers]
        if failing:
            return Check("disclosure", False, "sponsored without its disclosure label on "
                         + "; ".join(failing), list(dict.fromkeys(reviewers)))
        return Check("disclosure", True, "sponsored and disclosed")

    def _terms(self, kind: str, name: str, grams: set, folded: str, applies) -> Check:
        index, hits = self.terms[kind], {}
        for gram in grams & index.keys():
            for rule in index[gram]:
                if applies(rule):
                    hits.setdefault(gram, rule)
        for term, rule in self.unspaced[kind]:
            if term in folded and applies(rule):
                hits.setdefault(term, rule)
        if not hits:
            return Check(name, True, f"no {RuleKind(kind).label.lower()}")
        found = ", ".join(f'"{term}" ({rule.name})' for term, rule in sorted(hits.items()))
        if kind == RuleKind.BANNED:
            # A banned term blocks: no review lets it through; the author changes the text.
            return Check(name, False, f"blocked: {found}; change the text")
        reviewers = [rv for rule in hits.values() for rv in rule.reviewers]
        return Check(name, False, f"found {found}", list(dict.fromkeys(reviewers)))

    def _links(self, draft: Draft, applies) -> Check:
        rules = [r for r in self.by_kind[RuleKind.ALLOWED_DOMAINS] if applies(r)]
        if not rules:
            return Check("link_domains", True, "no allow list applies")
        allowed = {d.strip().lower().lstrip(".") for r in rules for d in r.terms}
        links = [*draft.links, *(u.rstrip(_TRAILING) for u in _URL.findall(draft.text))]
        outside = [link for link in links if not _allowed(link, allowed)]
        if outside:
            return Check("link_domains", False,
                         f"outside the allow list: {', '.join(dict.fromkeys(outside))}",
                         list(dict.fromkeys(rv for r in rules for rv in r.reviewers)))
        return Check("link_domains", True, "every link is on the allow list" if links
                     else "no links")

    def _alt_text(self, draft: Draft, applies) -> Check:
        rules = [r for r in self.by_kind[RuleKind.ALT_TEXT] if applies(r)]
        missing = [str(i + 1) for i, alt in enumerate(draft.media) if not (alt or "").strip()]
        if rules and missing:
            return Check("alt_text", False, f"no alt text on media {', '.join(missing)}",
                         list(dict.fromkeys(rv for r in rules for rv in r.reviewers)))
        return Check("alt_text", True, "every image has alt text" if draft.media else "no media")


def _allowed(link: str, allowed: set[str]) -> bool:
    """True for an http(s) link whose host is an allowed domain or one of its subdomains."""
    try:
        parts = urlsplit(link if "://" in link else f"http://{link}")
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    return any(host == d or host.endswith(f".{d}") for d in allowed)
