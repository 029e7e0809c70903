"""Calibrating a sentiment model's probabilities after training, by the name the config's
`training.calibration` gives (`CALIBRATORS`): a temperature fitted on dev, inside the saved
model (`shared.layers.with_temperature`) and recorded in its metadata, where the API reads
it back."""

from __future__ import annotations

from sentiment.data import LabelledTexts


def temperature_scaled(classifier, dev: LabelledTexts):
    """(`classifier` over its model with the temperature that minimises dev NLL, the
    bundle's record of it: the temperature and dev ECE, Brier and NLL before and after)."""
    from sentiment.classifier import SentimentClassifier
    from shared.calibration import calibration_scores, fit_temperature, tempered
    from shared.layers import with_temperature

    raw = classifier.predict_proba(dev.texts)
    temperature = fit_temperature(raw, dev.labels)
    record = {
        "method": "temperature",
        "temperature": temperature,
        "fitted_on": f"dev ({len(dev)} texts)",
        "dev_before": calibration_scores(raw, dev.labels),
        "dev_after": calibration_scores(tempered(raw, temperature), dev.labels),
    }
    print(f"Calibration: temperature {temperature:.3f} (dev NLL {record['dev_before']['nll']:.4f} -> "
          f"{record['dev_after']['nll']:.4f}, ECE {record['dev_before']['ece']:.4f} -> "
          f"{record['dev_after']['ece']:.4f})", flush=True)  # fmt: skip
    calibrated = with_temperature(classifier.model, temperature)
    return SentimentClassifier(calibrated, {**classifier.metadata, "calibration": record}), record


# name -> (the API, dev data) -> (the calibrated API, the bundle's record); "none" leaves it as it is
CALIBRATORS = {"temperature": temperature_scaled, "none": None}
