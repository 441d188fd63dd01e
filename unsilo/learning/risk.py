"""Risk flags and the words that set them: legal, safety, press, privacy, self_harm.

One combined, case-insensitive, whole-word regex per flag, in en/de/fr/es/pt/it/nl. Words
that are ambiguous in customer care are written as phrases ("porter plainte", not "plainte";
"in Brand", not "Brand") or guarded ("fire" but not "fire sale" / "fire him"), and idioms such
as "this is killing me" never match the self-harm patterns.
"""

import re

from unsilo.learning.text import TOKEN, Tokens

# Patterns are regex fragments; "\s+" between words of a phrase is added by _compile.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "legal": (
        # en
        "lawyer", "lawyers", "attorney", "attorneys", "my attorney", "sue", "suing", "sued",
        "lawsuit", "lawsuits", "legal action", "legal team", r"(?<!food\x20)(?<!tennis\x20)court",
        "take you to court",
        "small claims", "class action", "solicitor", "cease and desist", "litigation",
        # de
        "anwalt", "anwältin", "rechtsanwalt", "rechtsanwältin", "anwälte", "klage einreichen",
        r"(?:werde|werden|wir|ich) (?:sie |euch )?(?:ver)?klagen", "verklagen", "verklage",
        "vor gericht", "gerichtlich", "rechtliche schritte",
        # fr
        "avocat", "avocate", "porter plainte", "action en justice", "poursuivre en justice",
        "poursuites", "tribunal", "mise en demeure", "procès",
        # es
        "abogado", "abogada", "abogados", r"(?<!alta\x20)demanda",
        "demandar", "demandaré", "demandarlos",
        "acciones legales", "acción legal", "juicio", "tribunales",
        # pt
        "advogado", "advogada", r"(?:vou|vamos) processar", "processar vocês", "processo judicial",
        "ação judicial", "procon", "na justiça",
        # it
        "avvocato", "avvocati", "fare causa", "causa legale", "azioni legali", "tribunale",
        "denuncia", "denunciare",
        # nl
        "advocaat", "rechtszaak", "aanklagen", "juridische stappen",
    ),
    "safety": (
        # en
        r"fire(?!\s+(?:sale|him|her|them|that|this|the|your|whoever|someone|somebody|"
        r"everyone|whoever))", "caught fire", "smoke", "smoking",
        r"(?:burn|burns|burned|burnt|burning)(?!\s+(?:out|through|rubber))", "electric shock",
        "got a shock", "gave me a shock", "electrocuted", "exploded",
        "explode", "explosion", "injured", "injury", "injuries", "hurt my (?:child|son|"
        r"daughter|kid|baby|dog)", "choking", "choked", "choke hazard",
        "product recall", "recall notice", "a recall",
        "the recall", "recalled",
        "unsafe", "dangerous", "gas leak", "leaking gas", "overheating", "overheated",
        "sparks", "sparking", "swollen battery", "allergic reaction", "food poisoning",
        "emergency room", "hospitalized", "hospitalised",
        # de
        "feuer", "in brand", "rauch", "stromschlag", "explodiert", "verletzt", "verbrannt",
        "gasleck", "rückruf", "gefährlich", "überhitzt",
        # fr
        r"feu(?!\s+(?:vert|rouge|orange))", "incendie", "fumée", "brûlé", "brûlée", "brûlure",
        "choc électrique",
        "explosé", "blessé", "blessée", "fuite de gaz", "dangereux", "dangereuse",
        "rappel de produit", "surchauffe",
        # es
        "fuego", "incendio", "humo", "quemadura", "se quemó", "descarga eléctrica", "explotó",
        "herido", "herida", "lesionado", "fuga de gas", "peligroso", "peligrosa",
        # pt
        "fogo", "incêndio", "fumaça", "queimou", "queimadura", "choque elétrico", "explodiu",
        "ferido", "ferida", "vazamento de gás", "perigoso", "perigosa",
        # it
        "fuoco", "fumo", "bruciato", "scossa elettrica", "esploso", "esplosa", "ferito",
        "ferita", "fuga di gas", "pericoloso", "pericolosa",
        # nl
        "vuur", "rook", "ontploft", "geëxplodeerd", "gewond", "gaslek", "elektrische schok",
        "gevaarlijk", "terugroepactie",
    ),
    "press": (
        # en
        "journalist", "journalists", "reporter", "reporters", "press inquiry", "press enquiry",
        "media inquiry", "media enquiry", "press office", "writing a story", "writing an article",
        "working on a story", "working on an article", "for an article", "for a story",
        "for a piece", "comment for", "request for comment", "on deadline",
        "newsroom", "editor at", "on the record", "off the record", "for publication",
        # de
        "journalistin", "presseanfrage", "redaktion", "für einen artikel", "reporterin",
        # fr
        "journaliste", "demande presse", "pour un article",
        # es
        "periodista", "para un artículo",
        # pt
        "jornalista", "para uma matéria", "para um artigo",
        # it
        "giornalista", "per un articolo", "redazione",
        # nl
        "redactie", "voor een artikel", "verslaggever",
    ),
    "privacy": (
        # en
        "data breach", "breach", "my personal data", "personal data", "personal information",
        "my data", "my information", "my details", "gdpr", "ccpa", "data protection",
        r"leaked(?!\s+(?:all|everywhere|through|into|out|on|onto|in))", "hacked",
        "hacked account", "been hacked", "someone accessed my account",
        "accessed my account", "unauthorized access", "unauthorised access",
        "delete my data", "delete my account and data", "right to be forgotten",
        "identity theft", "sold my data", "privacy",
        # de
        "dsgvo", "datenschutz", "meine daten", "datenleck", "gehackt", "persönlichen daten",
        # fr
        "rgpd", "mes données", "données personnelles", "fuite de données", "piraté",
        "piratée", "droit à l'oubli",
        # es
        "datos personales", "mis datos", "filtración", "hackeado", "hackeada",
        "protección de datos",
        # pt
        "lgpd", "dados pessoais", "meus dados", "vazamento de dados", "hackeada",
        # it
        "dati personali", "miei dati", "hackerato", "hackerata", "violazione dei dati",
        # nl
        "persoonsgegevens", "mijn gegevens", "datalek", "gehackt",
    ),
    "self_harm": (
        # en
        "kill myself", "killing myself", "end my life", "ending my life", "end it all",
        "take my own life", "want to die", "wanna die", r"suicid(?:e|al)(?!\s+squad)",
        "self harm", "self-harm", "selfharm", "hurt myself", "harm myself", "cut myself",
        "no reason to live", "better off dead", "don't want to live", "dont want to live",
        "don't want to be here anymore", "dont want to be here anymore", "can't go on anymore",
        "want to disappear forever",
        # de
        "mich umbringen", "selbstmord", "suizid", "nicht mehr leben", "mir das leben nehmen",
        # fr
        "me suicider", "envie de mourir", "en finir avec la vie", "mettre fin à mes jours",
        # es
        "suicidarme", "quitarme la vida", "suicidio", r"(?:quiero|voy a) matarme",
        # pt
        r"(?:quero|vou) me matar", "suicídio", "suicidar", "tirar minha vida",
        # it
        "suicidarmi", r"(?:voglio|vorrei) uccidermi", "togliermi la vita",
        # nl
        "zelfmoord", "mezelf van kant maken", "dood willen",
    ),
}
FLAGS = tuple(TRIGGERS)
_CAREER_SUICIDE = re.compile(r"\b(?:career|commercial|political|social)\s+suicide\b", re.I)


def _compile(fragments: tuple[str, ...]) -> re.Pattern:
    parts = sorted((f.replace(" ", r"\s+") for f in fragments), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


_PATTERNS = {flag: _compile(words) for flag, words in TRIGGERS.items()}
_LOOKBEHIND = re.compile(r"^(?:\(\?<!.*?\))+")
_EXTRA_FIRST = {"suicid(?:e|al)": ("suicide", "suicidal")}


def _key_words(fragment: str) -> tuple[str, ...]:
    """Words of which a match of this fragment must contain one (tokenised like the text):
    the longest word of a plain phrase, else the words a regex fragment can start with."""
    if not re.search(r"[\\()\[\]?|]", fragment):
        return (max(TOKEN.findall(fragment.lower()), key=len),)
    for head, words in _EXTRA_FIRST.items():
        if fragment.startswith(head):
            return words
    fragment = _LOOKBEHIND.sub("", fragment)
    alternatives = re.match(r"^\(\?:([^()]*)\)", fragment)
    if alternatives:
        return tuple(TOKEN.findall(a)[0] for a in alternatives.group(1).split("|"))
    return (TOKEN.findall(fragment.lower())[0],)


# A cheap pre-check: a flag's regex runs only when the text has one of its key words.
_FIRST: dict[str, set[str]] = {}
for _flag, _words in TRIGGERS.items():
    for _fragment in _words:
        for _word in _key_words(_fragment):
            _FIRST.setdefault(_word, set()).add(_flag)


def find(text: str, tk: Tokens | None = None) -> dict[str, list[str]]:
    """{flag: [trigger words as they appear, lowercased, deduplicated]} for one text."""
    found: dict[str, list[str]] = {}
    if not text:
        return found
    tk = tk or Tokens(text)
    candidates: set[str] = set()
    for word in tk.low:
        flags = _FIRST.get(word)
        if flags:
            candidates |= flags
    for flag in FLAGS:
        if flag not in candidates:
            continue
        words = _PATTERNS[flag].findall(tk.text)
        if flag == "self_harm" and _CAREER_SUICIDE.search(tk.text):
            words = [w for w in words if not w.lower().startswith("suicid")]
        seen = list(dict.fromkeys(" ".join(w.lower().split()) for w in words))
        if seen:
            found[flag] = seen
    return found
