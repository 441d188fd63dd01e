"""The learned sentiment head: distant supervision from the agents' answers."""

import datetime
import random

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier

from unsilo.learning import lexicon, sentiment
from unsilo.learning.classify import classify
from unsilo.learning.features import Featurizer
from unsilo.learning.text import normalise
from unsilo.learning.types import Incoming

NOW = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)

# Customer texts with no sentiment words at all: only the answers say how customers felt.
GRUMBLE = ["the zorblax unit {} again", "zorblax number {} made the clunk noise",
           "zorblax {} shows the blinking light", "my zorblax {} did the clunk thing"]
CHEER = ["the quintet lamp {} arrived in teal", "quintet lamp {} sits in the hallway now",
         "got the quintet {} for my mum", "quintet lamp {} matches the sofa"]
ASK = ["what size is the vantor {} box", "which plug does vantor {} use",
       "where is the vantor {} manual", "vantor {} fits in a car boot"]
SORRY = ["So sorry about this, we apologise for the inconvenience.",
         "We're really sorry, Ana. Sending a replacement.",
         "Lo sentimos mucho, le escribimos por privado."]
GLAD = ["So glad you love it! Thanks for the kind words.",
        "Happy to hear that, thanks for the love!",
        "That made our day, thank you for the shout-out."]
INFO = ["The manual is on our website under Support > Manuals.",
        "It uses a standard type C plug.", "The box is 40 x 30 x 20 cm."]


def history(n_each=90, seed=1):
    rng = random.Random(seed)
    texts, answers = [], []
    for templates, replies in ((GRUMBLE, SORRY), (CHEER, GLAD), (ASK, INFO)):
        for i in range(n_each):
            texts.append(rng.choice(templates).format(i))
            answers.append(rng.choice(replies))
    return texts, answers


@pytest.mark.parametrize(("answer", "label"), [
    ("Sorry for the trouble! Sending a new one.", "negative"),
    ("Wir entschuldigen uns für die Unannehmlichkeiten.", "negative"),
    ("Désolé pour ce retard.", "negative"),
    ("Glad you love it, thanks for the kind words!", "positive"),
    ("Our store opens at 9am.", "neutral"),
    ("", None),
    ("Sorry for the wait, glad it's sorted now", None),
])
def test_weak_label_reads_the_agents_answer(answer, label):
    assert sentiment.weak_label(answer) == label


def test_learns_from_apologetic_and_thankful_answers():
    learned = sentiment.learn(*history())
    assert learned is not None
    probe = ["the zorblax unit 999 again", "the quintet lamp 999 arrived in teal",
             "which plug does vantor 999 use"]
    proba = learned.predict_proba(probe)
    labels = [sentiment.LABELS[i] for i in proba.argmax(axis=1)]
    assert labels == ["negative", "positive", "neutral"]


def test_classify_blends_the_learned_head_with_the_lexicon():
    learned = sentiment.learn(*history())
    batch = [Incoming(id="1", network="x", text="my zorblax 999 did the clunk thing",
                      author="a", created_at=NOW)]
    assert classify(batch)[0].sentiment == "neutral"  # no sentiment words for the lexicon
    assert classify(batch, learned=learned)[0].sentiment == "negative"
    # A clear lexicon signal still counts: thanks stay positive.
    thanks = [Incoming(id="2", network="x", text="thank you so much, amazing help 🙏",
                       author="a", created_at=NOW)]
    assert classify(thanks, learned=learned)[0].sentiment == "positive"


def test_corrections_win_over_weak_labels():
    texts, answers = history()
    # People corrected every "quintet" message to negative.
    corrections = {i: "negative" for i, t in enumerate(texts) if "quintet" in t}
    learned = sentiment.learn(texts, answers, corrections)
    proba = learned.predict_proba(["quintet lamp 999 sits in the hallway now"])
    assert sentiment.LABELS[proba.argmax()] == "negative"


def test_too_little_or_one_sided_history_gives_no_head():
    texts, answers = history(n_each=30)
    assert sentiment.learn(texts, answers) is None  # 90 < MIN_EXAMPLES
    texts, answers = history()
    assert sentiment.learn(texts, ["Sorry about that."] * len(texts)) is None  # one class
    assert sentiment.learn([], []) is None


def test_head_trained_on_a_shared_featurizer_reuses_the_batch_matrix():
    texts, answers = history()
    featurizer = Featurizer(min_df=1).fit([normalise(t) for t in texts])
    X = featurizer.transform([normalise(t) for t in texts])
    learned = sentiment.learn(texts, answers, featurizer=featurizer, X=X)
    assert learned.shared
    batch_texts = ["the zorblax unit 999 again", "got the quintet 999 for my mum"]
    batch = [Incoming(id=str(i), network="x", text=t, author="a", created_at=NOW)
             for i, t in enumerate(batch_texts)]
    Xb = featurizer.transform([normalise(t) for t in batch_texts])
    with_x = classify(batch, learned=learned, X=Xb)
    without = classify(batch, learned=learned)
    assert [c.sentiment for c in with_x] == [c.sentiment for c in without]
    assert [c.sentiment for c in with_x] == ["negative", "positive"]


def test_learned_head_gives_scikit_learns_probabilities():
    """The head keeps only the SGD classifier's arrays and computes its probabilities itself."""
    texts, answers = history()
    featurizer = Featurizer(min_df=2)
    X = featurizer.fit_transform([normalise(t) for t in texts])
    learned = sentiment.learn(texts, answers, featurizer=featurizer, X=X)
    labels = [sentiment.weak_label(a) for a in answers]
    model = SGDClassifier(loss="log_loss", alpha=1e-4, class_weight="balanced", max_iter=200,
                          tol=1e-3, random_state=0).fit(
        sentiment._stack(X, lexicon.score_many(texts)), labels)
    probe = ["the zorblax unit 999 again", "vantor 5 fits in a car boot", "quintet 7 in teal"]
    ours = learned.predict_proba(probe)
    theirs = model.predict_proba(sentiment._stack(
        featurizer.transform([normalise(t) for t in probe]), lexicon.score_many(probe)))
    order = [sentiment.LABELS.index(c) for c in model.classes_]
    assert np.allclose(ours[:, order], theirs, rtol=0, atol=1e-12)
