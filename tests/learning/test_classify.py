"""Offline classification: risk flags, language, urgency, intent, sentiment, robustness."""

import datetime
import json
from pathlib import Path

import pytest

from unsilo.learning import language, risk
from unsilo.learning.classify import classify
from unsilo.learning.types import Incoming

DATA = Path(__file__).parent / "data"
NOW = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)


def one(text, lang=""):
    return classify([Incoming(id="1", network="x", text=text, author="a", created_at=NOW,
                              lang=lang)])[0]


# -- risk flags -------------------------------------------------------------------------------
@pytest.mark.parametrize(("flag", "text", "words"), [
    ("legal", "My lawyer will be in touch, I am going to SUE you", ["lawyer", "sue"]),
    ("legal", "See you in small claims court", ["small claims", "court"]),
    ("legal", "Ich werde Sie verklagen, mein Anwalt meldet sich", ["werde sie verklagen",
                                                                   "anwalt"]),
    ("legal", "Mon avocat va porter plainte", ["avocat", "porter plainte"]),
    ("legal", "Voy a hablar con mi abogado", ["abogado"]),
    ("safety", "The charger caught fire and burned my hand", ["caught fire", "burned"]),
    ("safety", "Smoke came out of the heater, it's unsafe", ["smoke", "unsafe"]),
    ("safety", "Der Akku ist explodiert, mein Sohn ist verletzt", ["explodiert", "verletzt"]),
    ("safety", "Il y a une fuite de gaz, c'est dangereux", ["fuite de gaz", "dangereux"]),
    ("press", "I'm a reporter at the Times writing a story on outages",
     ["reporter", "writing a story"]),
    ("press", "Soy periodista, ¿tienen un comentario para un artículo?",
     ["periodista", "para un artículo"]),
    ("privacy", "Someone accessed my account, is this a data breach? GDPR request",
     ["someone accessed my account", "data breach", "gdpr"]),
    ("privacy", "Bitte löschen Sie meine Daten gemäß DSGVO", ["meine daten", "dsgvo"]),
    ("self_harm", "honestly I want to kill myself", ["kill myself"]),
    ("self_harm", "I don't want to live anymore", ["don't want to live"]),
    ("self_harm", "No puedo más, quiero matarme", ["quiero matarme"]),
    ("self_harm", "Ich denke an Selbstmord", ["selbstmord"]),
    ("self_harm", "honestly I don't want to be here anymore", ["don't want to be here anymore"]),
])
def test_risk_flags_and_their_words(flag, text, words):
    found = one(text).risk
    assert found[flag] == words


@pytest.mark.parametrize("text", [
    "this is killing me lol, 3 hours on hold",
    "you guys are killing it with the new app",
    "I'm dying to try the new menu",
    "press the button twice to reset",
    "fire sale this weekend?",
    "you should fire that driver",
    "I don't recall ordering this",
    "the food court was closed",
    "the bottle leaked all over the box",
    "I was shocked by the price",
    "that would be career suicide for your brand",
    "Das Gericht war kalt",
])
def test_idioms_and_lookalikes_raise_no_flag(text):
    assert one(text).risk == {}


def test_trigger_words_are_lowercased_and_deduplicated():
    found = risk.find("LAWYER lawyer Lawyer, then court and COURT")
    assert found == {"legal": ["lawyer", "court"]}


# -- language ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Meine Bestellung ist nicht angekommen, bitte helfen", "", "de"),
    ("la commande n'est pas arrivée, je veux un remboursement", "", "fr"),
    ("mi pedido no ha llegado todavía, nadie responde", "", "es"),
    ("@MeridianHelp my order never arrived, still waiting https://t.co/x", "", "en"),
    ("anything at all", "en-US", "en"),
    ("whatever", "pt_BR", "pt"),
    ("quelque chose", "fra", "fr"),
    ("ok", "", ""),  # too short to tell
    ("🙏🙏", "", ""),
    ("ありがとう", "", "ja"),  # short, but kana settles it
    ("注文した商品が届きません", "", "ja"),
    ("감사합니다", "", "ko"),
    ("谢谢", "", "zh"),
    ("شكرا لكم", "", "ar"),
    ("תודה רבה", "", "he"),
    ("Заказ не пришёл, помогите", "", "ru"),
    ("Замовлення не прийшло, допоможіть", "", "uk"),
])
def test_language_from_field_script_or_text(text, lang, expected):
    assert one(text, lang).language == expected


def test_language_field_that_is_not_a_tag_is_ignored():
    assert language.from_field("???") == ""
    assert one("Meine Bestellung ist nicht angekommen, bitte helfen", "12").language == "de"


# -- urgency ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("I want to kill myself", "urgent"),
    ("the heater caught fire", "urgent"),
    ("my lawyer will contact you", "high"),
    ("reporter here, request for comment", "high"),
    ("someone accessed my account", "high"),
    ("please call me back asap about my order", "high"),
    ("Dringend: Bestellung fehlt", "high"),
    ("WHERE IS MY ORDER THIS IS RIDICULOUS", "high"),
    ("still no refund!!! unacceptable", "high"),
    ("thanks so much, the team was amazing 🙏", "low"),
    ("what time does the store open on sunday?", "normal"),
    ("my package is late", "normal"),
])
def test_urgency_rules(text, expected):
    assert one(text).urgency == expected


# -- intent -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("I was charged twice for my subscription, please fix the invoice", "billing"),
    ("my package never arrived, tracking hasn't updated in a week", "delivery"),
    ("how do I return the blender? need a return label", "returns"),
    ("the app crashes every time I open it on android", "technical"),
    ("locked out of my account, the password reset link never arrives", "account"),
    ("worst customer service ever, your staff were rude", "complaint"),
    ("shoutout to your team, amazing service today!", "praise"),
    ("what time does the store open on sunday?", "question"),
    ("are you hiring? I'd love to apply for a job in your support team", "job"),
    ("I'm a journalist writing a story about delivery delays", "press"),
    ("my attorney will be filing a lawsuit", "legal"),
    ("feature request: it would be great if the app had dark mode", "product_idea"),
    ("can you send a quote for 200 units? wholesale pricing for my company", "sales_lead"),
    ("delete my personal data under GDPR", "privacy"),
    ("the charger overheated and started to smoke", "safety"),
    ("follow back for free followers, crypto giveaway, click here", "spam"),
    ("ok", "other"),
])
def test_intents_of_representative_messages(text, expected):
    assert one(text).intent == expected


# -- sentiment --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("still waiting on my refund from March", "negative"),
    ("flight delayed 3 hours and no one at the gate", "negative"),
    ("3rd time I've called about this", "negative"),
    ("great job losing my bag again", "negative"),
    ("thanks for nothing", "negative"),
    ("thanks so much for the quick help! 🙏", "positive"),
    ("shoutout to the crew on flight 1180, amazing", "positive"),
    ("do you ship to Canada?", "neutral"),
    ("how do I change my delivery address?", "neutral"),
    ("Service client nul, toujours pas remboursé", "negative"),
    ("Vielen Dank, super Service!", "positive"),
])
def test_sentiment_on_clear_cases(text, expected):
    assert one(text).sentiment == expected


def _macro_f1(path, predict):
    from sklearn.metrics import f1_score

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return f1_score([r["label"] for r in rows], predict([r["text"] for r in rows]),
                    average="macro")


def test_sentiment_gate_on_held_out_tweets_written_by_the_lexicon_author():
    """Quality gate, not timing: macro-F1 >= 0.65 on the held-out hand-written set, and above
    VADER. The set was written by the lexicon's author, so it guards against regressions; it
    says nothing of real customers (docs/benchmarks.md: 0.60 there, as VADER)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()

    def plain_vader(texts):
        out = []
        for t in texts:
            c = vader.polarity_scores(t)["compound"]
            out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
        return out

    def ours(texts):
        batch = [Incoming(id=str(i), network="x", text=t, author="a", created_at=NOW)
                 for i, t in enumerate(texts)]
        return [c.sentiment for c in classify(batch)]

    path = DATA / "sentiment_test.jsonl"
    mine, baseline = _macro_f1(path, ours), _macro_f1(path, plain_vader)
    assert mine >= 0.65
    assert mine > baseline


# -- robustness -------------------------------------------------------------------------------
def test_empty_batch():
    assert classify([]) == []


@pytest.mark.parametrize("text", [
    "", "   ", "https://t.co/abc", "@someone", "🙏" * 500, "e\u0301" * 3000, "x" * 100_000,
    "مرحبا \u202eabc\u202c שלום", "\x00\x01\x02", "????!!!!", "a" * 50 + "\ud800",
    "word " * 20_000,
])
def test_never_raises_on_odd_text(text):
    c = one(text)
    assert c.sentiment in ("positive", "neutral", "negative")
    assert c.urgency in ("low", "normal", "high", "urgent")
    assert isinstance(c.risk, dict)
