"""Compare trained NER bundles from their metadata: valid/test F1, epochs, training time
and how each config differs from the defaults (used to choose the default config).

Run from the project root:
  .venv/bin/python -m benchmarks.compare_ner_bundles NAME BUNDLE [BUNDLE ...]
Writes benchmarks/results/NAME.md.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.common import ENTITY_TYPES, RESULTS, per_type_cells
from ner.config import NerConfig
from shared.config import config_to_dict


def differences(config: dict, defaults: dict) -> str:
    changed = [
        f"{section}.{key}={value}"
        for section, values in config.items()
        for key, value in values.items()
        if defaults.get(section, {}).get(key) != value
    ]
    return ", ".join(changed) or "defaults"


def main(argv: list[str]) -> int:
    name, bundles = argv[0], [Path(arg) for arg in argv[1:]]
    defaults = config_to_dict(NerConfig())
    lines = [
        f"# NER configurations compared ({name})",
        "",
        f"Command: `.venv/bin/python -m benchmarks.compare_ner_bundles {' '.join(argv)}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        "Read from each bundle's metadata.json (written by `python -m ner.train`, seed 42, CoNLL-2003).",
        "",
        "| bundle | config vs defaults | valid F1 | test F1 | "
        + " | ".join(f"test {kind}" for kind in ENTITY_TYPES)
        + " | epochs (best) | train time |",
        "|---|---|---|---|" + "---|" * len(ENTITY_TYPES) + "---|---|",
    ]
    for bundle in bundles:
        meta = json.loads((bundle / "metadata.json").read_text())
        dev, test = (meta["metrics"][split]["conlleval"] for split in ("dev", "test"))
        training = meta["training"]
        lines.append(
            f"| {bundle.name} | {differences(meta['config'], defaults)} "
            f"| {dev['f1'] * 100:.1f} | {test['f1'] * 100:.1f} "
            f"| {per_type_cells({kind: row['f1'] for kind, row in test['per_type'].items()})} "
            f"| {training['epochs_run']} ({training['best_epoch']}) "
            f"| {training['seconds'] / 60:.1f} min{' (resumed)' if training.get('resumed') else ''} |"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
