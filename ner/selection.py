"""Which sentences to label next (`python -m ner.select`, the Annotate page): those the
tagger is least sure of, by its least sure token (`sentence`: 1 minus the lowest tag
probability) or by its least sure entity (`entity`: 1 minus the lowest entity score; a
sentence where it found none is asked last)."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np


def by_sentence(tagger, texts: list[str]):
    found = tagger.entities_and_tags(texts)
    scores = np.array([1.0 - min(tagged.scores, default=1.0) for _, tagged in found])
    return scores, [[asdict(entity) for entity in entities] for entities, _ in found]


def by_entity(tagger, texts: list[str]):
    found = tagger.entities_and_tags(texts)
    scores = np.array([1.0 - min((entity.score for entity in entities), default=1.0) for entities, _ in found])
    return scores, [[asdict(entity) for entity in entities] for entities, _ in found]


RANKINGS = {"sentence": by_sentence, "entity": by_entity}
