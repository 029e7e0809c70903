"""The evaluate verb: score a bundle on a registered dataset's split or a gold file;
print the task's table and write the same numbers as JSON."""

from __future__ import annotations

from pathlib import Path

from shared.cli import AppCli, make_parser
from shared.errors import UnsupportedError
from shared.files import write_json_atomic
from shared.outputs import WRITTEN_BY, check_distinct, check_new_file, check_report_target, write_csv_atomic
from shared.verbs import add_model_argument


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
        check_distinct({"--output": output, "--errors": args.errors})
        check_report_target(output)
        if args.errors:
            check_new_file(args.errors)
        baseline, baseline_lines, baseline_predictions = {}, [], None
        if getattr(args, "baseline", None):
            from shared.training_data import recorded_training_source

            training = recorded_training_source(cli, api).splits
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
