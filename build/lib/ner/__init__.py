"""Named-entity recognition: a bidirectional RNN tagger with character features and a CRF."""

import shared  # noqa: F401  (quiets TensorFlow's start-up logging before it is imported)
from ner.tagger import Entity, EntityTagger

__all__ = ["Entity", "EntityTagger"]
