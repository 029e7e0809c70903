"""The classic baseline beside the network: TF-IDF features (word 1-2-grams and character
2-5-grams within word boundaries) into a logistic regression, trained on the data the
bundle was trained on, its regularisation chosen on that data's dev split."""

from __future__ import annotations

from dataclasses import dataclass

STRENGTHS = (0.5, 2.0, 8.0)  # the inverse regularisation strengths C tried on dev
SEED = 0


@dataclass(frozen=True)
class TfidfBaseline:
    """A fitted pipeline, the C chosen on dev and the dev macro-F1 of each C tried."""

    pipeline: object
    strength: float
    dev_macro_f1: dict

    def predict(self, texts) -> list[int]:
        return [int(label) for label in self.pipeline.predict(list(texts))]


def tfidf_pipeline(strength: float):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True),
    )
    return make_pipeline(features, LogisticRegression(C=strength, max_iter=2000, random_state=SEED))


def fit_tfidf(train, dev) -> TfidfBaseline:
    """The pipeline trained on `train` with the C of `STRENGTHS` that scores best on `dev`
    (macro-F1, the network's own selection metric)."""
    from sklearn.metrics import f1_score

    fitted, scores = {}, {}
    for strength in STRENGTHS:
        fitted[strength] = tfidf_pipeline(strength).fit(list(train.texts), list(train.labels))
        predicted = fitted[strength].predict(list(dev.texts))
        scores[strength] = round(float(f1_score(dev.labels, predicted, average="macro")), 6)
    best = max(STRENGTHS, key=lambda strength: scores[strength])
    return TfidfBaseline(fitted[best], best, {str(strength): score for strength, score in scores.items()})
