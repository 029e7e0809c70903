"""The evaluate verb: score a bundle on a registered dataset's split or a gold file;
print the task's table and write the same numbers as JSON."""

from __future__ import annotations

from pathlib import Path

from shared.capabilities import compared_with_baseline
from shared.cli import argument_parser
from shared.files import write_json_atomic
from shared.outputs import WRITTEN_BY, check_distinct, check_new_file, check_report_target, write_csv_atomic
from shared.tasks import get_app
from shared.verbs import add_model_argument


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <app_name>.evaluate`."""

    def main(argv: list[str]) -> int:
        app = get_app(app_name)
        task = app.task
        parser = argument_parser(f"python -m {task.name}.evaluate", doc)
        add_model_argument(parser, task)
        own = f" or {app.files.evaluate_option}" if app.files else ""
        data = parser.add_argument_group(f"data (one of --dataset{own})")
        source = data.add_mutually_exclusive_group(required=True)
        source.add_argument("--dataset", choices=task.datasets, help="a registered dataset")
        if app.files:
            app.files.add_evaluation_arguments(source, data)
        data.add_argument(
            "--split", choices=("train", "dev", "test"), default="test", help="dataset split (default: test)"
        )
        parser.add_argument("--output", type=Path, help="JSON report path (default: evaluation-<data>-<split>.json)")
        if app.errors:
            parser.add_argument(
                "--errors",
                type=Path,
                metavar="FILE.csv",
                help="also write every wrong prediction to this new CSV file, most confident first",
            )
        if app.baseline:
            parser.add_argument(
                "--baseline",
                choices=[app.baseline.name],
                help="also train this classic model on the bundle's own training data, score it on the same "
                "data and count where the two disagree",
            )
        args = parser.parse_args(argv)

        api = task.load(args.model)
        if args.dataset:
            gold = getattr(task.load_dataset(args.dataset), args.split)
            name = f"{args.dataset}-{args.split}"
        else:
            name, gold = app.files.read_evaluation_file(args, api)
        output = args.output or Path(f"evaluation-{name}.json")
        errors_file = getattr(args, "errors", None)
        check_distinct({"--output": output, "--errors": errors_file})
        check_report_target(output)
        if errors_file:
            check_new_file(errors_file)
        baseline, baseline_lines, baseline_predictions = {}, [], None
        if getattr(args, "baseline", None):
            from shared.training_data import recorded_training_source

            training = recorded_training_source(app, api).splits
            baseline, baseline_lines, baseline_predictions = compared_with_baseline(app.baseline, api, training, gold)
        errors = app.errors.rows(api, gold, baseline_predictions) if errors_file else None
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
            write_csv_atomic(errors_file, columns, rows)
            print(f"Wrote {len(rows)} wrong predictions to {errors_file}")
        summary = report.summary_line()
        if summary is not None:
            print(summary)
        return 0

    return main
