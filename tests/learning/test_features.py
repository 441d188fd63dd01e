"""The fast featurizer gives scikit-learn's TF-IDF, and keeps metadata tokens whole."""


import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from unsilo.learning.features import Featurizer
from unsilo.learning.text import normalise

TEXTS = [
    "@MeridianHelp my order #4411 never arrived, still waiting!!! https://t.co/xyz",
    "Thanks so much for the quick refund 🙏❤️",
    "Flight delayed 3 hours and no one at the gate. Seriously?",
    "la commande n'est pas arrivée, je veux un remboursement",
    "Meine Bestellung ist nicht angekommen, bitte helfen",
    "注文した商品が届きません",
    "Заказ не пришёл, помогите пожалуйста",
    "طلبي لم يصل",
    "I a",
    "",
    "   ",
    "x" * 3000,
    "e\u0301te\u0301 cafe\u0301 — naïve coöperate",
    "how do I change my password? app crashes at login",
] * 3


def sklearn_reference(train, test, **kw):
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, **kw).fit(train)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                           **kw).fit(train)
    return sp.hstack([word.transform(test), char.transform(test)]).tocsr()


def test_matches_sklearn_on_normalised_and_raw_text():
    normalised = [normalise(t) for t in TEXTS]
    for train in (normalised, TEXTS):
        test = train[::-1] + ["unseen words only zzqx", "Order NEVER arrived"]
        ours = Featurizer().fit(train).transform(test)
        ref = sklearn_reference(train, test)
        assert ours.shape == ref.shape
        assert abs(ours - ref).max() < 1e-9


def test_matches_sklearn_with_min_df_and_max_features():
    train = [normalise(t) for t in TEXTS]
    ours = Featurizer(min_df=2, max_features=300).fit(train).transform(train)
    ref = sklearn_reference(train, train, min_df=2, max_features=300)
    assert ours.shape == ref.shape
    assert abs(ours - ref).max() < 1e-9


def test_rows_are_l2_normalised_per_part():
    f = Featurizer().fit(TEXTS)
    X = f.transform(["my order never arrived", ""])
    n_word = len(f.word_vocab)
    assert np.isclose(sp.linalg.norm(X[0, :n_word]), 1.0)
    assert np.isclose(sp.linalg.norm(X[0, n_word:]), 1.0)
    assert X[1].nnz == 0


def test_meta_tokens_are_whole_word_unigrams_only():
    texts = ["order never arrived", "refund please", "order arrived broken"]
    meta = [["_net_twitter", "_acct_meridianhelp"], ["_net_email", "_lang_es"], ["_net_twitter"]]
    f = Featurizer().fit(texts, meta=meta)
    assert "_net_twitter" in f.word_vocab and "_acct_meridianhelp" in f.word_vocab
    assert not any("_net" in k for k in f.char_vocab)  # no char n-grams from metadata
    assert not any(" _net_" in k or "_net_twitter " in k for k in f.word_vocab)  # no bigrams
    X = f.transform(["order never arrived"], meta=[["_net_twitter", "_never_seen"]])
    assert X[0, f.word_vocab["_net_twitter"]] > 0
    without = f.transform(["order never arrived"])
    n_word = len(f.word_vocab)
    # the char part does not change with metadata; the word part does
    assert abs(X[:, n_word:] - without[:, n_word:]).max() == 0
    assert abs(X[:, :n_word] - without[:, :n_word]).max() > 0


def test_underscore_pseudo_tokens_in_text_stay_whole():
    f = Featurizer().fit([normalise("hi @bob see https://x.y/z"), "plain text"])
    assert "_user_" in f.word_vocab and "_url_" in f.word_vocab


def test_empty_batch_and_empty_fit():
    f = Featurizer().fit(["", "a"])
    assert f.transform([]).shape == (0, f.n_features)
    assert f.transform(["anything at all"]).shape[0] == 1


def test_normalise_replaces_links_and_handles_and_keeps_other_scripts():
    text = "Hey @MeridianHelp  see https://t.co/AbC?x=1 and www.example.com — 注文 #4411 Ça va?"
    assert normalise(text) == "hey _user_ see _url_ and _url_ — 注文 #4411 ça va?"
    assert normalise("mail me at ana@example.com") == "mail me at ana@example.com"
    assert normalise("") == ""
