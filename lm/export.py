"""Export a language-model bundle as a TF SavedModel.

Signatures: serving_default takes a batch of raw strings and gives the probability
of each next token after each text, with the vocabulary; sample takes a prime, a
length, a temperature, top_k (0: no limit) and a seed and gives the sampled text,
the same text the Python API and `lm.sample` give for the same arguments.
"""

from shared.cli import run_cli
from shared.verbs.export import command

main = command("lm", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
