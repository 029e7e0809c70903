"""Serve language-model bundles over HTTP: samples, and each text's bits per token.

POST /v1/models/NAME:sample with {"prime": "...", "length": 200, "temperature": 1.0,
"top_k": 0, "seed": 0} gives the text the Python API and `lm.sample` give for the same
settings; POST /v1/models/NAME:predict with {"instances": ["text", ...]} (or the Open
Inference Protocol v2's /v2/models/NAME/infer) scores texts. /docs lists every route.
"""

from shared.cli import run_cli
from shared.verbs.serve import command

main = command("lm", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
