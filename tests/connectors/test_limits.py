"""Text counted as each network counts it (connectors/limits.py), and refused before queuing
when it is too long."""

import pytest

from unsilo.connectors import limits


@pytest.mark.parametrize(("text", "x", "bluesky", "mastodon"), [
    ("hello", 5, 5, 5),
    # Every URL counts 23 on X and Mastodon, as written on Bluesky; a trailing full stop is
    # not part of the link.
    ("https://example.com/a/very/long/path?with=query.", 24, 48, 24),
    ("see https://a.co and http://b.example/x", 55, 39, 55),
    # X also links a bare domain (Mastodon needs the scheme).
    ("shop at meridian.com/deals today", 37, 32, 32),
    # Emoji: one sequence counts 2 on X (skin tone, flag, family), 1 grapheme elsewhere.
    ("👍", 2, 1, 1),
    ("👍🏽🇩🇪👨‍👩‍👧", 6, 3, 3),
    ("1️⃣", 2, 1, 1),
    # CJK counts 2 per character on X, 1 elsewhere.
    ("日本語のテキスト", 16, 8, 8),
    ("안녕하세요", 10, 5, 5),
    # Latin with accents, Cyrillic, Arabic: 1 each everywhere.
    ("Ünïcödé Привет مرحبا", 20, 20, 20),
    # A combining mark: X normalises (e + ◌́ is é, 1) and counts a mark with no precomposed
    # form as a character of its own; the others count graphemes.
    ("e\u0301", 1, 1, 1),
    ("q\u0303", 2, 1, 1),
    ("नमस्ते", 6, 3, 3),
    # Mastodon counts a remote mention by its user name.
    ("hi @dana@mastodon.social", 24, 24, 8),
])
def test_each_network_counts_as_it_does(text, x, bluesky, mastodon):
    assert (limits.length("x", text), limits.length("bluesky", text),
            limits.length("mastodon", text)) == (x, bluesky, mastodon)


def test_a_text_at_the_limit_passes_and_one_more_is_refused():
    assert limits.problem("x", "a" * 280) == ""
    assert limits.problem("x", "a" * 281).startswith("Too long for X: 281 characters, at most 280")
    assert limits.problem("x", "日" * 140) == ""
    assert "Shorten it by 2" in limits.problem("x", "日" * 141)
    assert limits.problem("bluesky", "👍" * 300) == ""
    assert limits.problem("bluesky", "👍" * 301).startswith("Too long for Bluesky: 301")
    link = "https://example.com/" + "x" * 600
    assert limits.problem("mastodon", link + " " + "a" * 476) == ""  # 23 + 1 + 476 = 500


def test_replies_have_their_own_limit_where_the_network_has_one():
    assert limits.problem("linkedin", "a" * 2000, kind="post") == ""
    assert "at most 1250" in limits.problem("linkedin", "a" * 2000, kind="reply")


def test_a_network_without_a_rule_is_not_limited():
    assert limits.problem("rss", "a" * 100_000) == ""
    assert limits.counter("webhook", "text") == {"rule": "", "text": ""}


def test_the_counter_says_what_is_left_before_anyone_types():
    assert limits.counter("x", "Hello 👋")["text"] == "X: 272 characters left"
    over = limits.counter("bluesky", "a" * 301)
    assert over["text"] == "Bluesky: 1 over the limit of 300" and over["over"]
