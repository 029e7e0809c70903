"""The NER app's registration: its data, model fitting, report, outputs and export."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path

from ner.config import NerConfig, TrainingConfig
from ner.data import DATASETS, NerSplits, Sentence, load_named_dataset
from ner.report import EntityReport
from ner.tags import entity_types, spans, tag_set
from shared.tasks import Fit, Serving, Task

MONITOR = "f1"


def build_vocabularies(sentences: list[Sentence], size: int) -> tuple[list[str], list[str]]:
    """(words, characters) of the training data: normalized words by frequency (at most
    `size`), characters seen at least twice (rarer ones map to the unknown id)."""
    import tensorflow as tf

    from ner.model import normalize_words

    tokens = [token for sentence in sentences for token in sentence.tokens]
    keys = [key.decode("utf-8") for key in normalize_words(tf.constant(tokens)).numpy()]
    words = [word for word, _ in sorted(Counter(keys).items(), key=lambda item: (-item[1], item[0]))[:size]]
    char_counts = Counter(char for token in tokens for char in token)
    characters = sorted(char for char, count in char_counts.items() if count >= 2)
    return words, characters


def with_vector_words(words: list[str], vectors, count: int) -> list[str]:
    """`words` and then the `count` most frequent words of `vectors` they lack, as the
    embedding keys them (case-folded, digits 0): words never seen in training that
    still get their vector when predicting."""
    import tensorflow as tf

    from ner.model import normalize_words

    frequent = vectors.most_frequent(count)
    if not frequent:
        return words
    keys = [key.decode("utf-8") for key in normalize_words(tf.constant(frequent)).numpy()]
    known = set(words)
    return [*words, *dict.fromkeys(key for key in keys if key not in known and key)]


def ragged(sentences: list[Sentence], tags: list[str]):
    """(tokens, tag ids) as RaggedTensors."""
    import tensorflow as tf

    index = {tag: i for i, tag in enumerate(tags)}
    tokens = tf.ragged.constant([list(s.tokens) for s in sentences], dtype=tf.string)
    tag_ids = tf.ragged.constant([[index[t] for t in s.tags] for s in sentences], dtype=tf.int32)
    return tokens, tag_ids


def make_optimizer(training: TrainingConfig, steps: int):
    """Adam with gradient clipping, the configured learning-rate schedule over `steps`
    and, with `ema_momentum`, weight averaging (folded in as each epoch's `fit` ends)."""
    import keras

    rate = training.learning_rate
    if training.schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps)
    averaging = {"use_ema": True, "ema_momentum": training.ema_momentum} if training.ema_momentum else {}
    return keras.optimizers.Adam(rate, clipnorm=training.clip_norm, **averaging)


def entity_outcomes(sentences: list[Sentence], predicted) -> tuple[list[float], list[float], list[bool]]:
    """For each entity found in `sentences` (their `TaggedTokens`): its mean tag
    probability, its entity score (calibrated when the tagger is), and whether it is
    right (a gold entity of the same span and type)."""
    import numpy as np

    raw, scored, correct = [], [], []
    for sentence, tagged in zip(sentences, predicted):
        gold = set(spans(sentence.tags))
        for span in spans(tagged.tags):
            raw.append(float(np.mean(tagged.scores[span.start : span.end])))
            scored.append(tagged.entity_scores[span.start])
            correct.append(span in gold)
    return raw, scored, correct


def evaluate_sentences(tagger, sentences: list[Sentence]) -> dict:
    """Entity report of an EntityTagger on gold sentences, with the calibration of its
    entity scores (ECE, Brier, NLL against being right; `before` the calibration curve
    for a calibrated tagger) and their reliability bins when it found any entity."""
    from ner.metrics import entity_report
    from shared.calibration import confidence_bins, event_scores

    predicted = tagger.tag_tokens([s.tokens for s in sentences])
    report = entity_report([s.tags for s in sentences], [p.tags for p in predicted])
    raw, scored, correct = entity_outcomes(sentences, predicted)
    if correct:
        report["calibration"] = {**event_scores(scored, correct), "entities": len(correct)}
        if tagger.calibration:
            method = tagger.metadata["calibration"]["method"]  # the bundle's record, as its curve is
            report["calibration"] |= {"method": method, "before": event_scores(raw, correct)}
        report["reliability"] = confidence_bins(scored, correct)
    return report


def isotonic_calibrated(tagger, dev: list[Sentence]):
    """(`tagger` with a monotone curve from an entity's mean tag probability to the rate
    at which such entities are right on dev, the bundle's record of it: the curve and
    dev ECE, Brier and NLL before and after). A tagger that finds no entity on dev is
    returned as it is, with no record."""
    from ner.tagger import EntityTagger
    from shared.calibration import event_scores, fit_monotone, mapped

    raw, _, correct = entity_outcomes(dev, tagger.tag_tokens([s.tokens for s in dev]))
    if not correct:
        return tagger, {}
    points = fit_monotone(raw, correct)
    record = {
        "method": "isotonic",
        "points": points,
        "dev_before": event_scores(raw, correct),
        "dev_after": event_scores(mapped(raw, points), correct),
    }
    print(f"Calibration: entity scores through an isotonic curve of {len(points)} points (dev ECE "
          f"{record['dev_before']['ece']:.4f} -> {record['dev_after']['ece']:.4f})", flush=True)  # fmt: skip
    return EntityTagger(tagger.model, {**tagger.metadata, "calibration": record}), record


# name -> (the API, dev data) -> (the calibrated API, the bundle's record); "none" leaves it as it is
CALIBRATORS = {"isotonic": isotonic_calibrated, "none": None}


def char_lm_records(model_config) -> dict:
    """What the bundle records of the character LMs the tagger takes, by config field."""
    from lm.transfer import describe

    fields = ("char_lm_forward", "char_lm_backward")
    return {name: describe(getattr(model_config, name)).record() for name in fields if getattr(model_config, name)}


class NerTask(Task):
    name = "ner"
    config_class = NerConfig
    datasets = DATASETS
    default_dataset = "conll2003"
    monitor = MONITOR
    monitor_text = f"dev {MONITOR} (conlleval)"
    report_class = EntityReport
    scores_blank_texts = True
    output_format = "jsonl"

    def api_class(self):
        from ner.tagger import EntityTagger

        return EntityTagger

    def load_dataset(self, name: str, config: NerConfig | None = None) -> NerSplits:
        return load_named_dataset(name)

    def prepare(self, splits: NerSplits, config: NerConfig, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
        from ner import model as model_lib
        from ner.tagger import EntityTagger
        from shared.sequences import bucketed_batch_count, bucketed_dataset
        from shared.vectors import start_embedding, vectors_of

        tags = tag_set(entity_types([tag for s in splits.train for tag in s.tags]))
        words, characters = build_vocabularies(splits.train, config.model.vocabulary_size)
        vectors = vectors_of(config.model)
        if vectors is not None:
            words = with_vector_words(words, vectors, config.model.vectors_vocabulary)
        print(
            f"Vocabulary: {len(words)} words, {len(characters)} characters, tags {' '.join(tags)}; "
            f"train {len(splits.train)} sentences, dev {len(splits.dev)}",
            flush=True,
        )
        tagger = model_lib.build_tagger(config.model, words, characters, tags, seed=seed)
        if vectors is not None and not resume:
            # The lookup's ids: 0 padding, 1 the unknown word, then `words`.
            known = start_embedding(tagger.get_layer("word_embedding"), words, vectors, first_row=2)
            print(f"Vectors {config.model.vectors}: {known} of {len(words)} words start from theirs", flush=True)
        trainer = model_lib.TaggerTrainer(tagger)
        train_tokens, train_tags = ragged(splits.train, tags)
        steps = config.training.epochs * bucketed_batch_count(
            [len(s.tokens) for s in splits.train], config.training.batch_size
        )
        trainer.compile(optimizer=make_optimizer(config.training, steps))

        def make_train_data(epoch: int):
            return bucketed_dataset(train_tokens, train_tags, config.training.batch_size, seed * 1000 + epoch)

        apis = {}  # one compiled decoder per trainer (a resumed run loads a new one)

        def evaluate_dev(model) -> dict:
            if id(model) not in apis:
                apis[id(model)] = EntityTagger(model.tagger)
            scores = evaluate_sentences(apis[id(model)], splits.dev)["conlleval"]
            return {MONITOR: scores["f1"], "precision": scores["precision"], "recall": scores["recall"]}

        return Fit(
            trainer,
            make_train_data,
            evaluate_dev,
            finish=lambda trained: EntityTagger(trained.tagger),
            facts={"train_sentences": len(splits.train)},
            metadata={"labels": entity_types(tags), "tags": tags},
            taken=char_lm_records(config.model),
            calibrate=CALIBRATORS[config.training.calibration],
        )

    def evaluate(self, api, data: list[Sentence]) -> EntityReport:
        return EntityReport(evaluate_sentences(api, data))

    def result_fields(self, api) -> list[str]:
        return ["entities"]

    def results(self, api, texts: list[str]) -> list[dict]:
        return [self.answer(entities) for entities in api.predict(texts)]

    def answer(self, result) -> dict:
        return {"entities": [asdict(entity) for entity in result]}

    def portable(self, api):
        from ner.portable import portable

        return portable(api)

    def serving(self, api):
        import tensorflow as tf

        from ner.model import decode, entity_confidence
        from ner.tokenizer import split_tokens

        model = api.model
        tags = tf.constant(api.tags)

        def serve(text):
            tokens = split_tokens(text).to_tensor(default_value="")
            ids, scores = decode(model, tokens)
            names = tf.where(tokens != "", tf.gather(tags, ids), "")
            entity_scores = entity_confidence(ids, scores, tokens != "", api.tags, api.calibration)
            return {"tokens": tokens, "tags": names, "scores": scores, "entity_scores": entity_scores}

        return Serving(serve, "text -> tokens, tags, scores, entity_scores")


TASK = NerTask()
