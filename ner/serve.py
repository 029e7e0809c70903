"""Serve NER bundles over HTTP: TensorFlow Serving's REST API and the Open Inference Protocol v2.

Each answer carries what the Python API returns: the entities of each text, with their
type, text, character offsets into it and score. POST /v1/models/NAME:predict with
{"instances": ["text", ...]}, or /v2/models/NAME/infer with a BYTES tensor "text";
/docs lists every route, /metrics has Prometheus metrics.
"""

from shared.cli import run_cli
from shared.verbs.serve import command

main = command("ner", __doc__)

if __name__ == "__main__":
    raise SystemExit(run_cli(main))
