"""The language-model app's registration: unlabelled text, truncated-BPTT fitting, bits
per character, sampling and export."""

from __future__ import annotations

import json
from pathlib import Path

from lm.config import LMConfig
from lm.data import TextCorpus, TextSplits
from lm.report import LanguageModelReport
from shared.datasets import DATASETS, dataset_texts
from shared.errors import DataError
from shared.tasks import Fit, Serving, Task

MONITOR = "bits_per_token"


def train_windows(ids, training, epoch: int, seed: int):
    """Epoch `epoch`'s (inputs, targets) windows: `batch_size` streams starting at a
    seeded offset below `bptt`, each batch the next `bptt` tokens of every stream."""
    import numpy as np
    import tensorflow as tf

    from lm.data import stream_windows

    offset = int(np.random.default_rng([seed, epoch]).integers(training.bptt))
    inputs, targets, count = stream_windows(ids, training.batch_size, training.bptt, offset)
    length = training.bptt

    def windows():
        for window in range(count):
            columns = slice(window * length, (window + 1) * length)
            yield np.asarray(inputs[:, columns], np.int32), np.asarray(targets[:, columns], np.int32)

    spec = tf.TensorSpec([training.batch_size, length], tf.int32)
    return tf.data.Dataset.from_generator(windows, output_signature=(spec, spec)).prefetch(4)


class LanguageModelTask(Task):
    name = "lm"
    config_class = LMConfig
    datasets = DATASETS  # every registered dataset: its raw text, labels unused
    default_dataset = "sst"
    monitor = MONITOR
    monitor_mode = "min"
    monitor_text = f"dev {MONITOR} (bits per character, or per word: log2 of perplexity)"
    report_class = LanguageModelReport
    scores_blank_texts = False
    output_format = "csv"
    extra_verbs = ("sample",)
    # Its training network is stateful over a fixed number of parallel streams, which
    # a strategy would have to split among replicas: one process only, for now.
    distributed_training = False

    def api_class(self):
        from lm.language_model import LanguageModel

        return LanguageModel

    # ----------------------------------------------------------------- data
    def load_dataset(self, name: str, config: LMConfig | None = None) -> TextSplits:
        texts = dataset_texts(name)
        return TextSplits(
            *(
                TextCorpus(f"{name} {split}", texts=tuple(texts[split])) if texts.get(split) is not None else None
                for split in ("train", "dev", "test")
            )
        )

    # ----------------------------------------------------------------- model
    def prepare(self, splits: TextSplits, config: LMConfig, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
        import keras
        import numpy as np

        from lm import model as model_lib
        from lm.data import choose_vocabulary, encode_pieces, token_counts, write_ids
        from lm.inference import chunk_scorer, stream_bits
        from lm.language_model import LanguageModel
        from shared.files import write_json_atomic
        from shared.vectors import start_embedding, vectors_of

        level, training = config.model.level, config.training
        vocabulary_file = prepared_dir / "vocabulary.json"
        if resume:
            prepared = json.loads(vocabulary_file.read_text(encoding="utf-8"))
            train_ids = np.load(prepared_dir / "train.npy", mmap_mode="r")
            dev_ids = np.load(prepared_dir / "dev.npy", mmap_mode="r")
        else:
            counts, characters = token_counts(splits.train, level)
            tokens = sum(counts.values())
            need = (training.batch_size + 1) * training.bptt
            if tokens == 0:
                raise DataError(f"{splits.train.name}: no text")
            if tokens < need:
                raise DataError(
                    f"{splits.train.name}: too little text ({tokens:,} {level} tokens); training needs at least "
                    f"{need:,} ((training.batch_size {training.batch_size} + 1) x training.bptt {training.bptt}); "
                    "give more text or lower those settings"
                )
            vocabulary = choose_vocabulary(
                counts, config.model.vocabulary_size, config.model.min_count, model_lib.BOUNDARY
            )
            lookup = model_lib.lookup_layer(vocabulary)
            id_count = len(vocabulary) + model_lib.FIRST_TOKEN_ID
            backward = config.model.direction == "backward"
            train_pieces = encode_pieces(splits.train.pieces(), lookup, level)
            train_ids = write_ids(prepared_dir / "train.npy", train_pieces, tokens, id_count, reverse=backward)
            boundary = np.array([model_lib.FIRST_TOKEN_ID])  # the boundary starts the dev text
            dev_pieces = list(encode_pieces(splits.dev.pieces(), lookup, level))
            dev_pieces = [*dev_pieces, boundary] if backward else [boundary, *dev_pieces]
            dev_size = sum(len(piece) for piece in dev_pieces)
            dev_ids = write_ids(prepared_dir / "dev.npy", iter(dev_pieces), dev_size, id_count, reverse=backward)
            if len(dev_ids) < 2:
                raise DataError(f"{splits.dev.name}: no dev text")
            prepared = {"vocabulary": vocabulary, "train_characters": characters, "train_tokens": tokens}
            write_json_atomic(vocabulary_file, prepared)
        vocabulary = prepared["vocabulary"]
        size = len(vocabulary) + model_lib.FIRST_TOKEN_ID
        print(
            f"Vocabulary: {len(vocabulary)} {level} tokens; train {len(train_ids):,} tokens, dev {len(dev_ids) - 1:,}"
        )

        network = model_lib.build_network(config.model, size, batch_size=training.batch_size)
        vectors = None if resume else vectors_of(config.model)
        if vectors is not None:
            known = start_embedding(network.get_layer("embedding"), vocabulary, vectors, model_lib.FIRST_TOKEN_ID)
            print(f"Vectors {config.model.vectors}: {known} of {len(vocabulary)} words start from theirs")
        rate = training.learning_rate
        if training.learning_rate_decay < 1:
            steps = (len(train_ids) - training.bptt) // training.batch_size // training.bptt
            rate = keras.optimizers.schedules.ExponentialDecay(
                rate, max(steps, 1), training.learning_rate_decay, staircase=True
            )
        network.compile(
            optimizer=keras.optimizers.Adam(rate, clipnorm=training.clip_norm),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        scoring_network = model_lib.build_network(config.model, size)
        scorer = chunk_scorer(scoring_network)

        def evaluate_dev(trained) -> dict:
            model_lib.reset_streams(trained)  # the next epoch's streams start afresh
            scoring_network.set_weights(trained.get_weights())
            bits = stream_bits(scoring_network, np.asarray(dev_ids, np.int32), scorer=scorer)
            per_token = bits / (len(dev_ids) - 1)
            return {MONITOR: per_token, "perplexity": 2.0**per_token}

        def finish(trained) -> LanguageModel:
            return LanguageModel(model_lib.build_end_to_end(config.model, vocabulary, trained))

        return Fit(
            network,
            lambda epoch: train_windows(train_ids, training, epoch, seed),
            evaluate_dev,
            finish,
            facts={"train_tokens": prepared["train_tokens"], "train_characters": prepared["train_characters"]},
            metadata={"vocabulary": list(vocabulary), "level": level, "direction": config.model.direction},
        )

    def evaluate(self, api, data: TextCorpus) -> LanguageModelReport:
        try:
            return LanguageModelReport(api.evaluate_text(data.pieces()))
        except DataError as error:
            raise DataError(f"{data.name}: {error}") from None

    # ----------------------------------------------------------------- prediction
    def result_fields(self, api) -> list[str]:
        return ["tokens", "bits_per_token", "perplexity"]

    def results(self, api, texts: list[str]) -> list[dict]:
        return [
            {"tokens": s.tokens, "bits_per_token": round(s.bits_per_token, 4), "perplexity": round(s.perplexity, 3)}
            for s in api.predict(texts)
        ]

    def serving(self, api):
        import tensorflow as tf

        model = api.model
        tokens = tf.constant(list(api.vocabulary))

        def serve(text):
            return {"probabilities": model(text, training=False), "tokens": tokens}

        description = "text -> probabilities (of each next token), tokens (the vocabulary)"
        return Serving(serve, description, {"sample": sample_endpoint(api)})


def sample_endpoint(api) -> tuple:
    """The `sample` signature: (prime, length, temperature, top_k, seed) -> text, as `lm.sample` draws it."""
    import tensorflow as tf

    from lm.inference import sampler
    from lm.model import LOOKUP, TOKENIZE

    tokenize, lookup = api.model.get_layer(TOKENIZE), api.model.get_layer(LOOKUP)
    sample_ids = sampler(api.network)
    tokens = tf.constant(list(api.vocabulary))
    separator = "" if api.level == "char" else " "

    def sample(prime, length, temperature, top_k, seed):
        tf.debugging.assert_positive(temperature, message="temperature must be positive")
        tf.debugging.assert_positive(length, message="length must be positive")
        ids = lookup(tokenize(prime[None]))[0]
        prime_ids = tf.cast(tf.boolean_mask(ids, ids > 0), tf.int32)
        ids = sample_ids(prime_ids, length, temperature, top_k, seed)
        if api.direction == "backward":  # drawn right to left; the text reads left to right
            ids = tf.reverse(ids, [0])
        text = tf.strings.reduce_join(tf.gather(tokens, ids), separator=separator)
        return {"text": tf.strings.regex_replace(text, " ?\n ?", "\n") if separator else text}

    signature = [
        tf.TensorSpec([], tf.string, name="prime"),
        tf.TensorSpec([], tf.int32, name="length"),
        tf.TensorSpec([], tf.float32, name="temperature"),
        tf.TensorSpec([], tf.int32, name="top_k"),
        tf.TensorSpec([], tf.int64, name="seed"),
    ]
    return sample, signature


TASK = LanguageModelTask()
