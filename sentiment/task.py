"""The sentiment app's registration: its data, model fitting, report, outputs and export."""

from __future__ import annotations

from pathlib import Path

from sentiment.config import SentimentConfig
from sentiment.data import DATASETS, MONITOR, LabelledTexts, Splits, load_named_dataset
from sentiment.report import SentimentReport, binary_accuracy
from shared.tasks import Fit, Serving, Task


def evaluate_texts(classifier, data: LabelledTexts) -> dict:
    """The classification report of `classifier` on `data`, with the binary accuracy on
    its non-neutral texts (SST-2 derived), the calibration of its probabilities (ECE,
    Brier, NLL; `before` the temperature for a calibrated model) and its reliability
    bins; and what the model's architecture adds (a tree model's, on data with trees: its
    gold-tree scores and its parser's bracketing)."""
    from sentiment.architectures import recipe
    from shared.calibration import calibration_scores, reliability, tempered
    from shared.metrics import classification_report

    probabilities = classifier.predict_proba(data.texts)
    report = classification_report(data.labels, probabilities.argmax(axis=1), classifier.labels)
    report["binary_accuracy"] = binary_accuracy(probabilities, data.labels)
    report["calibration"] = calibration_scores(probabilities, data.labels)
    if classifier.temperature:
        raw = tempered(
            probabilities, 1.0 / classifier.temperature
        )  # as predict_proba(calibrated=False), no second pass
        report["calibration"] |= {"temperature": classifier.temperature, "before": calibration_scores(raw, data.labels)}
    report["reliability"] = reliability(probabilities, data.labels)
    return report | recipe(classifier.architecture).extra_scores(classifier, data)


class SentimentTask(Task):
    name = "sentiment"
    config_class = SentimentConfig
    datasets = DATASETS
    default_dataset = "sst"
    monitor = MONITOR
    monitor_text = f"dev {MONITOR}"
    report_class = SentimentReport
    scores_blank_texts = False
    output_format = "csv"

    def api_class(self):
        from sentiment.classifier import SentimentClassifier

        return SentimentClassifier

    def load_dataset(self, name: str, config: SentimentConfig | None = None) -> Splits:
        if config is None:  # as evaluation reads it
            return load_named_dataset(name)
        from sentiment.architectures import recipe

        return recipe(config.model.architecture).load_dataset(name, config)

    def prepare(self, splits: Splits, config: SentimentConfig, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
        from sentiment.architectures import recipe
        from sentiment.calibration import CALIBRATORS
        from sentiment.classifier import SentimentClassifier

        return recipe(config.model.architecture).prepare(
            splits,
            config,
            prepared_dir,
            resume=resume,
            seed=seed,
            api_class=SentimentClassifier,
            calibrate=CALIBRATORS[config.training.calibration],
        )

    def evaluate(self, api, data: LabelledTexts) -> SentimentReport:
        return SentimentReport(evaluate_texts(api, data))

    def result_fields(self, api) -> list[str]:
        return ["label", *(f"p_{label}" for label in api.labels)]

    def results(self, api, texts: list[str]) -> list[dict]:
        return [
            {"label": p.label, **{f"p_{label}": round(value, 6) for label, value in p.probabilities.items()}}
            for p in api.predict(texts)
        ]

    def serving(self, api):
        import tensorflow as tf

        model = api.model
        labels = tf.constant(list(api.labels))

        def serve(text):
            probabilities = model(text, training=False)
            return {"label": tf.gather(labels, tf.argmax(probabilities, axis=-1)), "probabilities": probabilities}

        return Serving(serve, "text -> label, probabilities")

    def portable(self, api):
        from sentiment.architectures import recipe

        return recipe(api.architecture).portable(api)


TASK = SentimentTask()
