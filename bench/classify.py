"""Classification speed and sentiment quality.

    .venv/bin/python bench/classify.py [--n 20000] [--vader-tweets PATH]

Speed is messages per CPU-second of this process (time.process_time), best and median of 3
runs, on realistic messages from the demo corpus in batches of 1,000 (pin it to one core with
`taskset -c 0` for comparable figures). Quality is 3-class macro-F1 on the labelled sets in
tests/learning/data (written by hand; the test set was never used for tuning), on the demo
corpus's own labels, and optionally on VADER's 4,200 ICWSM-2014 tweets (not shipped; from the
vaderSentiment sdist: additional_resources/hutto_ICWSM_2014.tar.gz -> tweets_GroundTruth.txt).
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import REPO, machine  # noqa: E402

BATCH = 1000
NOW = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)


def rate(fn, items, runs=3) -> tuple[float, float]:
    """(best, median) items per CPU-second of fn over items in batches."""
    rates = []
    for _ in range(runs):
        start = time.process_time()
        for i in range(0, len(items), BATCH):
            fn(items[i:i + BATCH])
        rates.append(len(items) / max(time.process_time() - start, 1e-9))
    return max(rates), statistics.median(rates)


def speed(n: int) -> None:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    from unsilo.demo import corpus as demo_corpus
    from unsilo.learning import sentiment
    from unsilo.learning.classify import classify
    from unsilo.learning.features import Featurizer
    from unsilo.learning.text import normalise
    from unsilo.learning.types import Incoming

    lines = demo_corpus.messages(n)
    with_lang = [Incoming(id=m["id"], network=m["network"], text=m["text"], author=m["author"],
                          created_at=NOW, account=m.get("account", ""), lang=m.get("lang", ""))
                 for m in lines]
    no_lang = [Incoming(id=m.id, network=m.network, text=m.text, author=m.author,
                        created_at=NOW) for m in with_lang]
    hist = demo_corpus.history(5000)
    learned = sentiment.learn([h["text"] for h in hist], [h.get("answer", "") for h in hist])
    classify(no_lang[:200], learned)  # load lexicons and models before timing

    print(f"\n### classify: {n:,} demo messages, batches of {BATCH:,}\n")
    print("| Case | msgs / CPU-s (best) | median |")
    print("|---|---|---|")
    for name, batch, head in (("no `lang` field (language detected)", no_lang, None),
                              ("`lang` field given", with_lang, None),
                              ("no `lang`, with learned sentiment head", no_lang, learned)):
        best, med = rate(lambda b, head=head: classify(b, head), batch)
        print(f"| {name} | {best:,.0f} | {med:,.0f} |")

    texts = [normalise(m.text) for m in no_lang]
    train = [normalise(h["text"]) for h in hist]
    ours = Featurizer(min_df=2).fit(train)
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                           min_df=2).fit(train)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                           min_df=2).fit(train)

    def sk(batch):
        return sp.hstack([word.transform(batch), char.transform(batch)], format="csr")

    diff = abs(ours.transform(texts[:2000]) - sk(texts[:2000])).max()
    ours_best, ours_med = rate(ours.transform, texts)
    sk_best, sk_med = rate(sk, texts)
    print(f"\n### TF-IDF word(1,2) + char_wb(2,5), fitted on 5,000 history texts "
          f"({ours.n_features:,} features), {n:,} texts\n")
    print("| Featurizer | texts / CPU-s (best) | median |")
    print("|---|---|---|")
    print(f"| scikit-learn `TfidfVectorizer` × 2 + hstack | {sk_best:,.0f} | {sk_med:,.0f} |")
    print(f"| `learning.features.Featurizer` | {ours_best:,.0f} | {ours_med:,.0f} |")
    print(f"\nSpeed-up {ours_med / sk_med:.1f}× (median); max |difference| {diff:.1e}.")


def quality(vader_tweets: str | None) -> None:
    from sklearn.metrics import f1_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from unsilo.demo import corpus as demo_corpus
    from unsilo.learning import sentiment

    analyzer = SentimentIntensityAnalyzer()

    def vader(texts):
        out = []
        for t in texts:
            c = analyzer.polarity_scores(t)["compound"]
            out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
        return out

    hist = demo_corpus.history(5000)
    learned = sentiment.learn([h["text"] for h in hist], [h.get("answer", "") for h in hist])
    data = REPO / "tests" / "inbox" / "data"
    sets = {}
    for name in ("dev", "test"):
        rows = [json.loads(x) for x in (data / f"sentiment_{name}.jsonl").open(encoding="utf-8")]
        sets[f"sentiment_{name}.jsonl ({len(rows)})"] = rows
    demo = demo_corpus.messages(2000, seed=7)
    sets["demo corpus messages (2000, generator's labels)"] = [
        {"text": m["text"], "label": m["_truth"]["sentiment"]} for m in demo]
    if vader_tweets and Path(vader_tweets).exists():
        rows = []
        text = Path(vader_tweets).read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                score = float(parts[1])
                label = "positive" if score >= 0.5 else "negative" if score <= -0.5 else "neutral"
                rows.append({"text": parts[2], "label": label})
        sets[f"VADER ICWSM-2014 tweets ({len(rows)})"] = rows

    print("\n### Sentiment macro-F1 (3 classes)\n")
    print("| Set | VADER (compound ±0.05) | ours: lexicon | ours: lexicon + learned head "
          "(5,000 demo history answers) |")
    print("|---|---|---|---|")
    for name, rows in sets.items():
        texts, gold = [r["text"] for r in rows], [r["label"] for r in rows]
        f = [f1_score(gold, p, average="macro") for p in (
            vader(texts), sentiment.predict(texts), sentiment.predict(texts, learned))]
        print(f"| {name} | {f[0]:.3f} | {f[1]:.3f} | {f[2]:.3f} |")
    print(f"\nLearned head: {learned.n_examples:,} weakly labelled texts {learned.label_counts}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--vader-tweets", default=os.environ.get("VADER_TWEETS"))
    args = parser.parse_args()
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.2f} at start")
    speed(args.n)
    quality(args.vader_tweets)
    print(f"\nLoad average {os.getloadavg()[0]:.2f} at the end.")


if __name__ == "__main__":
    main()
