"""Deprecated: the predict verb's Ray engine is `shared.ray_engine`; the input readers moved to
`shared.inputs`, the part-file protocol to `shared.part_files` (see `shared.deprecation`)."""

from shared.deprecation import moved_names

_ENGINE = ("score_on_ray", "ray_cluster", "RayRun", "PartOptions", "BlockScorer", "ROWS_PER_PART", "CONNECT_TIMEOUT")
_INPUTS = ("input_files", "filesystem_and_path", "display_name", "file_kind", "source_rows", "check_inputs")
_PARTS = ("MANIFEST", "SUCCESS", "check_output", "prepare_output", "clear_output", "commit_output")

__getattr__ = moved_names(
    __name__,
    {
        **dict.fromkeys(_ENGINE, "shared.ray_engine"),
        **dict.fromkeys(_INPUTS, "shared.inputs"),
        **dict.fromkeys(_PARTS, "shared.part_files"),
    },
)
