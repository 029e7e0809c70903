"""The classic baseline beside the tagger: a linear-chain CRF over hand features (the
word, its shape and affixes, its neighbours'; no POS or chunk columns, as raw text has
none), sklearn-crfsuite, its L1/L2 strengths chosen on the dev split."""

from __future__ import annotations

from dataclasses import dataclass

STRENGTHS = ((0.05, 0.01), (0.1, 0.05))  # (c1, c2) tried on dev
ITERATIONS = 150


def word_features(tokens: list[str], i: int) -> dict:
    """Standard CRF features of token i: the word, its shape and affixes, and its neighbours."""
    word = tokens[i]
    features = {
        "bias": 1.0,
        "lower": word.lower(),
        "suffix3": word[-3:],
        "suffix2": word[-2:],
        "prefix3": word[:3],
        "is_upper": word.isupper(),
        "is_title": word.istitle(),
        "is_digit": word.isdigit(),
        "has_digit": any(c.isdigit() for c in word),
        "has_hyphen": "-" in word,
        "shape": "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in word)[:6],
    }
    for offset in (-2, -1, 1, 2):
        j = i + offset
        if 0 <= j < len(tokens):
            other = tokens[j]
            features.update({
                f"{offset}:lower": other.lower(),
                f"{offset}:is_title": other.istitle(),
                f"{offset}:is_upper": other.isupper(),
                f"{offset}:suffix3": other[-3:],
            })  # fmt: skip
        else:
            features[f"{offset}:edge"] = True
    return features


def featurized(sentences) -> list[list[dict]]:
    return [[word_features(list(s.tokens), i) for i in range(len(s.tokens))] for s in sentences]


@dataclass(frozen=True)
class CrfBaseline:
    """A fitted CRF, the (c1, c2) chosen on dev and the dev F1 of each pair tried."""

    model: object
    strengths: tuple[float, float]
    dev_f1: dict

    def predict(self, sentences) -> list[list[str]]:
        return [list(tags) for tags in self.model.predict(featurized(sentences))]


def fit_crf(train, dev) -> CrfBaseline:
    """The CRF trained on `train` with the (c1, c2) of `STRENGTHS` that scores best on
    `dev` (conlleval F1, the tagger's own selection metric)."""
    import sklearn_crfsuite

    from ner.metrics import entity_report

    train_x, train_y = featurized(train), [list(s.tags) for s in train]
    fitted, scores = {}, {}
    for c1, c2 in STRENGTHS:
        model = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=c1, c2=c2, max_iterations=ITERATIONS)
        model.fit(train_x, train_y)
        fitted[(c1, c2)] = CrfBaseline(model, (c1, c2), {})
        predicted = fitted[(c1, c2)].predict(dev)
        scores[(c1, c2)] = round(entity_report([s.tags for s in dev], predicted)["conlleval"]["f1"], 6)
    best = max(STRENGTHS, key=lambda pair: scores[pair])
    return CrfBaseline(fitted[best].model, best, {f"c1={c1},c2={c2}": scores[(c1, c2)] for c1, c2 in STRENGTHS})
