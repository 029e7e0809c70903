"""Export an NER bundle as a TF SavedModel that takes a batch of raw sentences.

The `serving_default` signature takes `text` (string, [batch]) and returns
`tokens` and `tags` (string, [batch, max tokens], padded with "") and `scores`
(float32, the probability of each tag, 0 on padding) and `entity_scores` (float32,
on each token of an entity that entity's score, calibrated as the Python API's
`Entity.score`; 0 elsewhere). Tokenization is the same as the Python API's.
"""

from shared.cli import run_cli
from shared.verbs.export import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
