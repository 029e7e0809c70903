"""The Annotate page's work, apart from its widgets: the queue of a file's texts in the
order to ask them, the decisions as records of the annotation file, and retraining a
model with the annotations in a new folder. Pure functions, tested without a browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from shared.errors import DataError
from shared.tasks import get_app

ANNOTATIONS_DIR = Path("data") / "annotations"
NAME_LIMIT = 81
NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{NAME_LIMIT - 1}}}")


def annotation_path(name: str, folder: Path = ANNOTATIONS_DIR) -> Path:
    """data/annotations/<name>.jsonl; DataError for a name that is not a plain file name."""
    name = name.removesuffix(".jsonl")
    if not NAME.fullmatch(name):
        raise DataError(
            f"{name!r}: an annotation file name is 1 to {NAME_LIMIT} letters, digits, '.', '_' and '-' "
            "(no folders), starting with a letter or digit"
        )
    return folder / f"{name}.jsonl"


def queue(api, task_name: str, rank_by: str, rows: list) -> list[dict]:
    """Every non-blank row of `rows` (`shared.inputs.Row`) once (near-duplicates once), in
    the order the ranking `rank_by` asks them, with the model's guess: dicts of row, text, guess, uncertainty."""
    from shared.selection import RANDOM, candidates, ranked, rankings

    found, _ = candidates(api, rankings(get_app(task_name).annotation)[rank_by], rows, set())
    order = RANDOM if rank_by == RANDOM else "uncertainty"
    return [
        {"row": c.row, "text": c.text, "guess": c.guess, "uncertainty": c.uncertainty}
        for c in ranked(found, len(found), order=order, seed=0)
    ]


def decision(item: dict, source: dict, model: str, answer, *, skipped: bool = False, task_name: str) -> dict:
    """The annotation file's record of one decision on a queue `item`: its task and text,
    the answer (a label, or entities with character offsets), where it came from
    (`source`: the file's name and SHA-256, and the row), the model and its guess, whether
    it was accepted as guessed, and when (`shared.annotations.decision_record`)."""
    from shared.annotations import decision_record

    annotation = get_app(task_name).annotation
    guessed = annotation.guessed_answer(item["guess"])
    answered = None if skipped else (annotation.answer_field, answer)
    return decision_record(task_name, item, source, model, answered, accepted=not skipped and answer == guessed)


def progress(items: list[dict], records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the decisions of `records` on texts of the queue `items`, the items not decided
    yet, in order): a text is decided once, whichever file it was met in
    (`shared.selection.text_key`)."""
    from shared.selection import text_key

    keys = {text_key(item["text"]) for item in items}
    mine = [record for record in records if text_key(record["text"]) in keys]
    done = {text_key(record["text"]) for record in mine}
    return mine, [item for item in items if text_key(item["text"]) not in done]


def entities_from_table(text: str, tokens, table: pd.DataFrame, labels) -> list[dict]:
    """The edited table (type, first and last token, 1-based) as entities with character offsets."""
    entities, taken = [], set()
    for _, row in table.dropna(how="all").iterrows():
        if row["type"] not in labels or pd.isna(row["first"]) or pd.isna(row["last"]):
            raise DataError("each entity needs a type and its first and last token")
        first, last = int(row["first"]), int(row["last"])
        if not 1 <= first <= last <= len(tokens):
            raise DataError(
                f"tokens {first}-{last}: the first and last token are between 1 and {len(tokens)}, in order"
            )
        if taken & set(range(first, last + 1)):
            raise DataError(f"tokens {first}-{last} overlap another entity")
        taken |= set(range(first, last + 1))
        start, end = tokens[first - 1].start, tokens[last - 1].end
        entities.append({"label": row["type"], "start": start, "end": end, "text": text[start:end]})
    return sorted(entities, key=lambda entity: entity["start"])


def free_folder(base: Path) -> Path:
    """`base`, or `base-2`, `base-3`, ... : the first that does not exist (nothing is replaced)."""
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def retrain(task_name: str, bundle: Path, annotations: Path, out: Path, *, with_base: bool, on_epoch: Callable) -> dict:
    """Train `bundle`'s config again on its training data plus `annotations` (or on the
    annotations alone) into `out`; the dev score of the old and the new model on the new
    training's dev split. An earlier version of `annotations` the old model was trained
    on is replaced by the file as it is now."""
    from shared.config import config_of_record
    from shared.training import train
    from shared.training_data import annotations_source, recorded_training_source, trained_on_alone, with_extra

    app = get_app(task_name)
    task = app.task
    old = task.load(bundle)
    config = config_of_record(task.config_class, old.metadata["config"])
    seed = old.metadata.get("training", {}).get("seed", 42)
    if with_base and not trained_on_alone(old, annotations):
        source = with_extra(app.annotation, recorded_training_source(app, old, leave_out=annotations), [annotations])
    else:
        source = annotations_source(app.annotation, annotations, seed)
    train(task, source, config, out, seed=seed, on_epoch=on_epoch)
    new = task.load(out)
    return {
        "monitor": task.monitor_text,
        "before": task.evaluate(old, source.splits.dev).monitor_value,
        "after": task.report_class(new.metadata["metrics"]["dev"]).monitor_value,
        "out": str(out),
        "old": str(bundle),
    }
