"""The Python APIs give the same answers from 16 threads at once as one by one."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytestmark = pytest.mark.slow

TEXTS = [
    "Great value, works perfectly",
    "Broke after two days, awful",
    "Anna Kowalski visited Paris on Monday.",
    "Shares of Acme Corp fell 3.5 percent in New York.",
    "It is a blue phone case",
    "Nothing happened.",
    "Maria Silva won the Olympic title",
    "Talks between Oslo and Lima ended .",
] * 4


def _in_threads(function, items):
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(function, items))


def test_sentiment_classifier_is_thread_safe(sentiment_classifier):
    sequential = [sentiment_classifier.predict_proba([text])[0] for text in TEXTS]
    parallel = _in_threads(lambda text: sentiment_classifier.predict_proba([text])[0], TEXTS)
    np.testing.assert_allclose(np.stack(parallel), np.stack(sequential), atol=1e-6)
    steps = _in_threads(lambda text: sentiment_classifier.predict_steps(text)[-1].probabilities, TEXTS)
    for last_step, prediction in zip(steps, sentiment_classifier.predict(TEXTS)):
        assert last_step == pytest.approx(prediction.probabilities, abs=1e-5)


def test_entity_tagger_is_thread_safe(entity_tagger):
    sequential = [entity_tagger.predict(text) for text in TEXTS]
    parallel = _in_threads(entity_tagger.predict, TEXTS)
    assert parallel == sequential
    batches = _in_threads(entity_tagger.predict_batch, [TEXTS[i : i + 5] for i in range(0, len(TEXTS), 5)])
    assert [entity for batch in batches for entity in batch] == sequential
