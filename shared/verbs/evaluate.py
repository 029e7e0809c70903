"""The evaluate verb: score a bundle on a registered dataset's split or a gold file;
print the task's table and write the same numbers as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from shared.cli import AppCli, make_parser
from shared.errors import OutputError
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
        args = parser.parse_args(argv)

        api = task.load(args.model)
        if args.dataset:
            gold = getattr(task.load_dataset(args.dataset), args.split)
            name = f"{args.dataset}-{args.split}"
        else:
            name, gold = cli.read_evaluation_file(args, api)
        output = args.output or Path(f"evaluation-{name}.json")
        check_report_target(output)
        report = task.evaluate(api, gold)
        written_by = {WRITTEN_BY: f"{task.name}.evaluate"}
        write_json_atomic(output, {**written_by, "model": str(args.model), "data": name, **report})
        print(report.table())
        print(f"\nWrote {output}")
        summary = report.summary_line()
        if summary is not None:
            print(summary)
        return 0

    return main
