"""Sentiment read after the risk flags: a cry for help never reads positive, and the idioms
that only sound like one keep the sentiment their words give."""

import datetime

import pytest

from unsilo.learning.classify import classify
from unsilo.learning.sentiment import risk_aware
from unsilo.learning.types import Incoming

NOW = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)


def one(text):
    return classify([Incoming(id="1", network="x", text=text, author="a", created_at=NOW)])[0]


@pytest.mark.parametrize("text", [
    # The message: "just want", "all" and no negative word read as relief.
    "I just want to end it all",
    "honestly I can't take this anymore. I just want to end it all",
    "thanks for everything, I'm going to end it all tonight",
    "lol I want to die, best day ever",
    "I'm so happy, I have no reason to live",
    "quiero matarme, gracias por nada 😊",
])
def test_a_self_harm_message_never_reads_positive(text):
    c = one(text)
    assert "self_harm" in c.risk
    assert c.sentiment == "negative"
    assert c.urgency == "urgent"


@pytest.mark.parametrize("text", [
    "great job, the new heater caught fire 🔥 love it",
    "Amazing!!! my charger exploded, thanks Meridian",
])
def test_a_safety_report_never_reads_positive(text):
    c = one(text)
    assert "safety" in c.risk
    assert c.sentiment != "positive"


@pytest.mark.parametrize(("text", "mood"), [
    ("you guys are killing it with the new app, love it", "positive"),
    ("this is killing me lol, 3 hours on hold", None),
    ("I'm dying to try the new menu, looks amazing", "positive"),
])
def test_idioms_raise_no_flag_and_keep_their_sentiment(text, mood):
    c = one(text)
    assert c.risk == {}
    if mood:
        assert c.sentiment == mood


def test_the_override_only_touches_flagged_messages():
    assert risk_aware("positive", {}) == "positive"
    assert risk_aware("positive", {"legal": ["lawyer"]}) == "positive"
    assert risk_aware("neutral", {"self_harm": ["end it all"]}) == "negative"
    assert risk_aware("neutral", {"safety": ["smoke"]}) == "neutral"
    assert risk_aware("positive", {"safety": ["smoke"]}) == "negative"
