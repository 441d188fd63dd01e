"""Language of a message: the message's own `lang` field, else a decisive script, else
py3langid restricted to the languages a hub meets (ISO 639-1; "" when unsure)."""

import re
from functools import lru_cache

from unsilo.learning.text import Tokens

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "no", "fi", "cs",
             "hu", "ro", "tr", "el", "ru", "uk", "ja", "zh", "ko", "ar", "he", "hi", "id",
             "vi", "th")
MIN_LETTERS = 10  # below this, Latin-script guesses are noise ("ok" came back as af, zu, hu)
_MAX_CHARS = 400  # the opening of a long mail is enough to tell its language

_THREE = {"eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es",
          "por": "pt", "ita": "it", "nld": "nl", "dut": "nl", "jpn": "ja", "zho": "zh",
          "chi": "zh", "kor": "ko", "rus": "ru", "ukr": "uk", "ara": "ar", "heb": "he",
          "pol": "pl", "tur": "tr", "swe": "sv", "dan": "da", "nor": "no", "nob": "no",
          "nb": "no", "nn": "no", "fin": "fi", "iw": "he", "in": "id"}
_FIELD = re.compile(r"^[A-Za-z]{2,3}(?:[-_].*)?$")

# Scripts that settle the language on their own (ranges of letters, checked in order).
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana: Japanese even amid kanji
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("cyr", re.compile(r"[\u0400-\u04ff]")),
)
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f"
                        r"\u1100-\u11ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")

# Words frequent in one of the main hub languages and rare in the others: a clear majority of
# them settles the language without the n-gram model (several times faster, same answer).
_STOPWORDS = {
    "en": str.split(
        "the and my it you your to of for this that with have not but are what why how "
        "just from they there can't don't i'm it's get got still when would could "
        "please thanks thank order since will"),
    "de": str.split(
        "der das und ist nicht ich mein meine mit auf für ein eine wir habe hat noch kein "
        "keine bitte wurde seit warum wie aber auch schon nach immer bei mir mich sie ihr "
        "euch danke bestellung"),
    "fr": str.split(
        "les et est pas je mon mes une des du pour avec qui sur ce c'est vous nous elle "
        "toujours mais très depuis n'est j'ai au aux votre merci commande"),
    "es": str.split(
        "el los las y mis pero muy hace todavía nadie gracias pedido hola usted ustedes "
        "cuándo cómo dónde qué"),
    "pt": str.split(
        "os é não meu minha um com muito ainda já você vocês obrigado obrigada encomenda "
        "olá onde"),
    "it": str.split(
        "il gli è mio mia che della di sono ancora già molto ho grazie ordine ciao dove "
        "perché"),
    "nl": str.split(
        "het een niet ik mijn op voor van dat nog geen maar wel ook heb wordt bij bedankt "
        "bestelling waarom hoe"),
}
_STOP = {}
for _code, _words in _STOPWORDS.items():
    for _word in _words:
        _STOP.setdefault(_word, set()).add(_code)
_LETTER = re.compile(r"[^\W\d_]")


def from_field(lang: str) -> str:
    """"en-US" -> "en", "pt_BR" -> "pt", "deu" -> "de"; "" when it is not a language tag."""
    lang = (lang or "").strip()
    if not _FIELD.match(lang):
        return ""
    code = re.split(r"[-_]", lang, maxsplit=1)[0].lower()
    return _THREE.get(code, code)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    identifier.set_languages([code for code in LANGUAGES if code in identifier.nb_classes])
    return identifier


def detect(text: str, field: str = "", tk: Tokens | None = None) -> str:
    """The message's language (ISO 639-1), or "" when the text is too short to tell."""
    code = from_field(field)
    if code:
        return code
    tk = tk or Tokens(text or "")
    text = tk.text[:_MAX_CHARS]
    if not text.isascii() and _NON_LATIN.search(text):
        letters = _LETTER.findall(text)
        for code, script in _SCRIPTS:
            hits = len(script.findall(text))
            if hits * 2 >= len(letters):
                if code == "cyr":
                    return "uk" if _UKRAINIAN.search(text) else "ru"
                return code
            if code in ("ja", "ko") and hits >= 2:  # kana or hangul amid other scripts
                return code
    votes: dict[str, int] = {}
    letters = 0
    for word in tk.low:
        if word[0].isalpha():
            letters += len(word)
            langs = _STOP.get(word)
            if langs:
                for lang in langs:
                    votes[lang] = votes.get(lang, 0) + 1
    if letters < MIN_LETTERS:
        return ""
    if votes:
        ranked = sorted(votes.values(), reverse=True)
        if ranked[0] >= 3 and (len(ranked) == 1 or ranked[1] * 4 <= ranked[0]):
            return max(votes, key=votes.get)
    return _identifier().classify(text)[0]


def detect_many(texts: list[str], fields: list[str] | None = None) -> list[str]:
    fields = fields or [""] * len(texts)
    return [detect(t, f) for t, f in zip(texts, fields, strict=True)]
