"""Export a sentiment bundle as a TF SavedModel that takes a batch of raw strings.

The `serving_default` signature takes `text` (string, shape [batch]) and returns
`label` (string, [batch]) and `probabilities` (float32, [batch, 3], in the order
negative, neutral, positive).
"""

from shared.cli import run_cli
from shared.verbs.export import command

main = command("sentiment", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
