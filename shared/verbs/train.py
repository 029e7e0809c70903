"""The train verb: data from a registered dataset or the app's own files, settings from
defaults, a JSON config and dotted overrides; one bundle out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shared.cli import add_seed_argument, argument_parser
from shared.config import load_config
from shared.deprecation import moved_names
from shared.errors import ConfigError
from shared.tasks import App, get_app
from shared.training.distribution import STRATEGIES, make_distribution


def default_out(task) -> Path:
    return Path("models") / task.name


def calibration_methods(config_class) -> tuple[str, ...]:
    """The `training.calibration` choices of a task's config (its default first), or ()."""
    import dataclasses
    import typing

    training = next(f for f in dataclasses.fields(config_class) if f.name == "training").default_factory
    found = [f for f in dataclasses.fields(training) if f.name == "calibration"]
    if not found:
        return ()
    choices = typing.get_args(typing.get_type_hints(training)["calibration"])
    return (found[0].default, *(choice for choice in choices if choice != found[0].default))


def train_arguments(app: App, doc: str | None):
    task = app.task
    parser = argument_parser(f"python -m {task.name}.train", doc)
    own = f", or {app.files.train_option} with its options" if app.files else ""
    data = parser.add_argument_group(f"data (--dataset{own})")
    source = data.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=task.datasets, help="a registered dataset")
    if app.files:
        app.files.add_training_arguments(source, data)
    if app.annotation:
        source.add_argument(
            "--annotations",
            type=Path,
            metavar="FILE.jsonl",
            help="an annotation file (the Annotate page's) as the training data, a tenth held out as dev",
        )
        data.add_argument(
            "--extra",
            type=Path,
            action="append",
            default=[],
            metavar="FILE.jsonl",
            help="add an annotation file's labelled decisions to the training split (repeatable)",
        )
    out = default_out(task)
    parser.add_argument("--config", type=Path, help="JSON config file (see README)")
    parser.add_argument("--out", type=Path, default=out, help=f"bundle folder (default: {out})")
    add_seed_argument(parser, 42)
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    methods = calibration_methods(task.config_class)
    if methods:
        parser.add_argument(
            "--calibration",
            choices=methods,
            help=f"{methods[0]} (default): after training, fit on dev how far the model's probabilities are to be "
            "trusted, so that the bundle's are calibrated (labels never change); none: keep the network's own",
        )
    if task.distributed_training:
        cluster = parser.add_argument_group("training on several workers")
        cluster.add_argument(
            "--strategy",
            choices=STRATEGIES,
            default="none",
            help="none: one process (default); mirrored: every GPU of this machine; "
            "multi-worker: the workers TF_CONFIG lists (as a TFJob sets it)",
        )
        cluster.add_argument(
            "--workers", type=int, help="start this many worker processes on 127.0.0.1 (to try multi-worker here)"
        )
    return parser


# TensorFlow's gRPC server binds 0.0.0.0 whatever TF_CONFIG names (grpc_server_lib has
# no setting for it), and its protocol has no authentication.
LOCAL_WORKERS_WARNING = (
    "warning: while this training runs, its workers' TensorFlow servers listen on every network interface of "
    "this machine, without authentication (TensorFlow has no setting to keep them to 127.0.0.1); "
    "use --workers only on a machine whose network you trust"
)


def without_workers(argv: list[str]) -> list[str]:
    """`argv` less its --workers option (which the local worker processes must not see)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--workers":
            skip = True
        elif not arg.startswith("--workers="):
            kept.append(arg)
    return kept


def train_on_local_workers(task, args, argv: list[str]) -> None:
    from shared.training import CHECKPOINT_DIR, STATE_FILE, work_dir_for
    from shared.training.workers import run_local_workers

    if args.workers < 2:
        raise ConfigError("--workers: give 2 or more (one process is the default)")
    if args.strategy != "none" or os.environ.get("TF_CONFIG"):
        raise ConfigError("--workers starts its own workers: leave out --strategy and TF_CONFIG")
    checkpoint = work_dir_for(args.out) / CHECKPOINT_DIR
    print(LOCAL_WORKERS_WARNING, file=sys.stderr, flush=True)

    def hint() -> str:
        if (checkpoint / STATE_FILE).is_file():
            return f"The last finished epoch is saved in {checkpoint}: rerun the same command with --resume."
        return "No epoch had finished, so there is nothing to resume: rerun the same command."

    run_local_workers(f"{task.name}.train", without_workers(argv), args.workers, hint)


def training_config(app: App, args, overrides: list[str]):
    """The config the train verb trains with: the app's defaults (an architecture's own
    where it has them), the --config file, then the options and dotted overrides."""
    calibration = [f"--training.calibration={args.calibration}"] if getattr(args, "calibration", None) else []
    own = app.files.config_overrides(args) if app.files else []
    return load_config(app.task.config_class, args.config, [*own, *calibration, *overrides])


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <app_name>.train`."""

    def main(argv: list[str]) -> int:
        from shared.training import dataset_source, train
        from shared.training_data import annotations_source, with_extra

        app = get_app(app_name)
        task = app.task
        args, overrides = train_arguments(app, doc).parse_known_args(argv)

        def config_and_data():
            config = training_config(app, args, overrides)
            if args.dataset:
                source = dataset_source(task, args.dataset, config)
            elif getattr(args, "annotations", None):
                source = annotations_source(app.annotation, args.annotations, args.seed)
            else:
                source = app.files.read_training_files(args, config, args.seed)
            if getattr(args, "extra", None):
                return config, with_extra(app.annotation, source, args.extra)
            return config, source

        if getattr(args, "workers", None) is not None:
            config_and_data()  # bad settings or data: one error here, before any worker starts
            train_on_local_workers(task, args, argv)
            return 0
        # Before any other TensorFlow work: a multi-worker strategy sets up collectives at start-up.
        distribution = make_distribution(args.strategy) if task.distributed_training else None
        config, source = config_and_data()
        train(task, source, config, args.out, seed=args.seed, resume=args.resume, distribution=distribution)
        return 0

    return main


# a parser is the tree model's syntactic one; these build the command's arguments
__getattr__ = moved_names(__name__, {"build_parser": "shared.verbs.train:train_arguments"})
