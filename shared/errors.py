"""Typed errors for everything a user can get wrong.

Every error a user can cause (bad file, bad column, bad config, broken bundle) is a
subclass of `UserError`. CLIs turn it into one readable line and a non-zero exit;
the Python API lets it propagate so callers can catch it by type.
"""


class UserError(Exception):
    """Base class for errors caused by user input, not by a bug."""

    exit_code = 2


class UsageError(UserError):
    """A command-line option is missing, unknown or out of range."""


class DataError(UserError):
    """A data file or text is missing, unreadable or malformed."""


class DatasetNotFoundError(DataError):
    """A named dataset is neither in the mirror folder nor downloadable."""


class ConfigError(UserError):
    """A configuration file or override is invalid."""


class BundleError(UserError):
    """A model bundle is missing, incomplete, of another task or too new."""


class OutputError(UserError):
    """An output path holds something this project did not write, so it is not replaced."""


class UnsupportedError(UserError):
    """The model cannot do what was asked of it (the message says what to call instead)."""


class TrainingBusyError(UserError):
    """Another training is already writing the same model."""
