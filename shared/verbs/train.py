"""The train verb: data from a registered dataset or the app's own files, settings from
defaults, a JSON config and dotted overrides; one bundle out."""

from __future__ import annotations

from pathlib import Path

from shared.cli import make_parser
from shared.config import load_config
from shared.tasks import get_task


def default_out(task) -> Path:
    return Path("models") / task.name


def build_parser(task, doc: str | None):
    parser = make_parser(f"python -m {task.name}.train", doc)
    data = parser.add_argument_group(f"data (--dataset, or {task.train_file_option} with its options)")
    source = data.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=task.datasets, help="a registered dataset")
    task.add_training_arguments(source, data)
    out = default_out(task)
    parser.add_argument("--config", type=Path, help="JSON config file (see README)")
    parser.add_argument("--out", type=Path, default=out, help=f"bundle folder (default: {out})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    return parser


def command(task_name: str, doc: str | None):
    """The `main(argv)` of `python -m <task>.train`."""

    def main(argv: list[str]) -> int:
        from shared.trainer import dataset_source, train

        task = get_task(task_name)
        args, overrides = build_parser(task, doc).parse_known_args(argv)
        config = load_config(task.config_class, args.config, [*task.config_overrides(args), *overrides])
        if args.dataset:
            source = dataset_source(task, args.dataset, config)
        else:
            source = task.read_training_files(args, config, args.seed)
        train(task, source, config, args.out, seed=args.seed, resume=args.resume)
        return 0

    return main
