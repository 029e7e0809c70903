"""What one training run of a sequence model needs (`SentimentTask.prepare` with
`--model.architecture sequence`): the vocabulary, the token ids of train and dev, the
class weights, the classifier (started from vectors or a word LM when the config says so)
and the end-to-end model it becomes."""

from __future__ import annotations

from pathlib import Path

from sentiment.data import LABELS, MONITOR, Splits
from shared.tasks import Fit


def prior_weights(train_labels, dev_labels, exponent: float):
    """Per-example weights (dev share / train share of its class) ** exponent, or None."""
    import numpy as np

    if exponent == 0:
        return None
    classes = len(LABELS)
    train_share = np.bincount(train_labels, minlength=classes) / len(train_labels)
    dev_share = np.bincount(dev_labels, minlength=classes) / len(dev_labels)
    # A class missing from train or dev keeps weight 1.
    present = (train_share > 0) & (dev_share > 0)
    ratio = np.divide(dev_share, train_share, out=np.ones(classes), where=present) ** exponent
    weights = ratio[np.asarray(train_labels)]
    return (weights / weights.mean()).astype("float32")


def encoder_source(model_config):
    """The word LM named by `sequence.encoder` (`lm.transfer.LanguageModelSource`),
    checked against the config; None without one."""
    from lm.transfer import describe
    from shared.errors import ConfigError

    sequence = model_config.sequence
    if not sequence.encoder:
        return None
    lm = describe(sequence.encoder)
    if lm.level != "word":
        raise ConfigError(f"encoder {sequence.encoder} is a {lm.level}-level LM; it needs a word one")
    if model_config.embedding_dim != lm.embedding_dim:
        raise ConfigError(
            f"embedding_dim is {model_config.embedding_dim} but {sequence.encoder}'s is {lm.embedding_dim}"
        )
    if sequence.encoder_layers > lm.layers:
        raise ConfigError(f"encoder_layers is {sequence.encoder_layers} but {sequence.encoder} has {lm.layers}")
    if lm.direction != "forward" and sequence.encoder_layers:
        raise ConfigError(f"encoder_layers needs a forward LM; {sequence.encoder} reads backward")
    return lm


def vectorize(vectorizer, texts, max_length: int):
    """Token ids of each text as a RaggedTensor, padding removed and truncated."""
    import tensorflow as tf

    pieces = []
    for start in range(0, len(texts), 4096):
        padded = vectorizer(tf.constant(list(texts[start : start + 4096])))
        pieces.append(tf.RaggedTensor.from_tensor(padded, padding=0)[:, :max_length])
    return tf.concat(pieces, axis=0)


def predict_ids(classifier, ids, batch_size: int = 512):
    """Class probabilities for ragged token ids, batched by length, in input order."""
    import numpy as np
    import tensorflow as tf

    from shared.sequences import length_sorted_batches

    lengths = ids.row_lengths().numpy()
    result = np.zeros((len(lengths), len(LABELS)), dtype="float32")
    for batch in length_sorted_batches(lengths, batch_size):
        # A plain call, not predict_on_batch: under a distribution strategy that would
        # split the batch among the workers and return every worker's share.
        result[batch] = classifier(tf.gather(ids, batch).to_tensor(default_value=0), training=False).numpy()
    return result


def prepare_sequence(
    splits: Splits, config, prepared_dir: Path, *, resume: bool, seed: int, api_class: type, calibrate
) -> Fit:
    """The Fit of a sequence model: its models wrapped in the app's `api_class`,
    calibrated after training by `calibrate` (None: not at all)."""
    import keras
    import numpy as np

    from sentiment.sequence import model as model_lib
    from shared.metrics import classification_report
    from shared.sequences import bucketed_dataset
    from shared.vectors import vectors_of

    vectors = vectors_of(config.model)
    vectorizer = model_lib.prepared_vectorizer(
        config.model, splits.train.texts, prepared_dir, resume=resume, vectors=vectors
    )
    print(f"Vocabulary: {vectorizer.vocabulary_size()} tokens; train {len(splits.train)}, dev {len(splits.dev)}")

    train_ids = vectorize(vectorizer, splits.train.texts, config.model.max_length)
    dev_ids = vectorize(vectorizer, splits.dev.texts, config.model.max_length)
    train_labels = np.asarray(splits.train.labels, dtype="int32")
    weights = prior_weights(splits.train.labels, splits.dev.labels, config.training.prior_correction)
    encoder = encoder_source(config.model)
    classifier = model_lib.build_classifier(config.model, vectorizer.vocabulary_size(), encoder)
    if encoder and not resume:
        from lm.transfer import WordEncoder

        # Opened after the classifier is built, so its layers draw the same initial weights as ever.
        known = model_lib.initialize_from_encoder(
            classifier,
            vectorizer.get_vocabulary(),
            WordEncoder.open(config.model.sequence.encoder),
            config.model.sequence.encoder_layers,
        )
        print(
            f"Encoder {config.model.sequence.encoder}: {known} of {vectorizer.vocabulary_size()} words "
            f"start from its embedding; {config.model.sequence.encoder_layers} of its recurrent layers taken"
        )
    if vectors is not None and not resume:
        known = model_lib.initialize_from_vectors(classifier, vectorizer.get_vocabulary(), vectors)
        print(f"Vectors {config.model.vectors}: {known} of {vectorizer.vocabulary_size()} words start from theirs")
    classifier.compile(
        optimizer=keras.optimizers.Adam(config.training.learning_rate, clipnorm=config.training.clip_norm),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )

    def make_train_data(epoch: int):
        return bucketed_dataset(
            train_ids,
            train_labels,
            config.training.batch_size,
            seed * 1000 + epoch,
            weights=weights,
            word_dropout=config.training.word_dropout,
        )

    def evaluate_dev(model) -> dict:
        report = classification_report(splits.dev.labels, predict_ids(model, dev_ids).argmax(axis=1), LABELS)
        return {MONITOR: report["macro_f1"], "accuracy": report["accuracy"]}

    def finish(trained):
        end_to_end = model_lib.build_end_to_end(config.model, vectorizer, trained)
        return api_class(end_to_end, {"labels": list(LABELS), "architecture": "sequence"})

    return Fit(
        classifier,
        make_train_data,
        evaluate_dev,
        finish,
        facts={"train_examples": len(splits.train)},
        metadata={"labels": list(LABELS), "architecture": "sequence"},
        taken={"encoder": encoder.record()} if encoder else {},
        calibrate=calibrate,
    )
