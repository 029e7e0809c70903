"""The evaluate verb: score a bundle on a registered dataset's split or a gold file;
print the task's table and write the same numbers as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from shared.cli import AppCli, make_parser
from shared.errors import DataError, OutputError, UnsupportedError
from shared.files import write_json_atomic
from shared.verbs import add_model_argument

WRITTEN_BY = "written_by"  # the key that marks a report as one this verb wrote (and may replace)


def check_report_target(path: Path) -> None:
    """OutputError unless `path` is new or a report this verb wrote: a user's file of
    the same name (the default name included) is never replaced."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file path")
    if not path.exists():
        return
    try:
        ours = json.loads(path.read_text(encoding="utf-8")).get(WRITTEN_BY, "").endswith(".evaluate")
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        raise OutputError(
            f"{path}: exists and is not an evaluation report of this project; "
            "choose another path with --output or move the file away (nothing was replaced)"
        )


def check_new_file(path: Path, option: str = "--errors") -> None:
    """OutputError unless nothing is at `path` (a file `option` names never replaces one)."""
    if path.exists():
        raise OutputError(f"{path}: exists; choose another path for {option} (nothing was replaced)")


def write_csv_atomic(path: Path, columns: list[str], rows: list[dict]) -> None:
    """`rows` as a CSV file, cells made spreadsheet-safe (`shared.results.csv_cell`), written whole or not at all."""
    import csv

    from shared.files import atomic_path
    from shared.results import csv_cell

    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_cell(column) for column in columns])
        writer.writerows([csv_cell(row[column]) for column in columns] for row in rows)


def recorded_training_data(cli: AppCli, api):
    """The splits `api`'s bundle was trained on, read again as its training read them
    (a registered dataset, or the files it records, the same dev held out); DataError
    when they are gone or their checksums differ from the bundle's record."""
    from shared.config import config_from_dict
    from shared.training import dataset_source

    task, meta = cli.task, api.metadata
    recorded = meta.get("dataset") or {}
    config = config_from_dict(task.config_class, meta["config"])
    if "files" in recorded:
        arguments = cli.training_file_arguments(recorded)
        source = cli.read_training_files(arguments, config, meta["training"]["seed"])
    elif recorded.get("name") in task.datasets:
        source = dataset_source(task, recorded["name"], config)
    else:
        raise DataError(f"{api.path}: the bundle records no training data that can be read again")
    if source.description != recorded:
        raise DataError(
            f"{api.path}: its training data has changed since it was trained (the checksums differ); "
            "a baseline is only compared on the same data"
        )
    return source.splits


def command(cli: AppCli, doc: str | None):
    """The `main(argv)` of `python -m <task>.evaluate`."""

    def main(argv: list[str]) -> int:
        task = cli.task
        parser = make_parser(f"python -m {task.name}.evaluate", doc)
        add_model_argument(parser, task)
        data = parser.add_argument_group(f"data (one of --dataset or {cli.evaluate_file_option})")
        source = data.add_mutually_exclusive_group(required=True)
        source.add_argument("--dataset", choices=task.datasets, help="a registered dataset")
        cli.add_evaluation_arguments(source, data)
        data.add_argument(
            "--split", choices=("train", "dev", "test"), default="test", help="dataset split (default: test)"
        )
        parser.add_argument("--output", type=Path, help="JSON report path (default: evaluation-<data>-<split>.json)")
        parser.add_argument(
            "--errors",
            type=Path,
            metavar="FILE.csv",
            help="also write every wrong prediction to this new CSV file, most confident first",
        )
        if cli.baselines:
            parser.add_argument(
                "--baseline",
                choices=cli.baselines,
                help="also train this classic model on the bundle's own training data, score it on the same "
                "data and count where the two disagree",
            )
        args = parser.parse_args(argv)

        api = task.load(args.model)
        if args.dataset:
            gold = getattr(task.load_dataset(args.dataset), args.split)
            name = f"{args.dataset}-{args.split}"
        else:
            name, gold = cli.read_evaluation_file(args, api)
        output = args.output or Path(f"evaluation-{name}.json")
        check_report_target(output)
        if args.errors:
            check_new_file(args.errors)
        baseline, baseline_lines, baseline_predictions = {}, [], None
        if getattr(args, "baseline", None):
            training = recorded_training_data(cli, api)
            baseline, baseline_lines, baseline_predictions = cli.baseline_comparison(args.baseline, api, training, gold)
        errors = cli.error_rows(api, gold, baseline_predictions) if args.errors else None
        if args.errors and errors is None:
            raise UnsupportedError(f"--errors: {task.name}.evaluate writes no file of errors yet")
        report = task.evaluate(api, gold)
        written_by = {WRITTEN_BY: f"{task.name}.evaluate"}
        extra = {"baseline": baseline} if baseline else {}
        write_json_atomic(output, {**written_by, "model": str(args.model), "data": name, **report, **extra})
        print(report.table())
        for line in baseline_lines:
            print(line)
        print(f"\nWrote {output}")
        if errors is not None:
            columns, rows = errors
            write_csv_atomic(args.errors, columns, rows)
            print(f"Wrote {len(rows)} wrong predictions to {args.errors}")
        summary = report.summary_line()
        if summary is not None:
            print(summary)
        return 0

    return main
