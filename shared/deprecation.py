"""Old public names kept working after a move or rename, with a DeprecationWarning.

A module that gave up names ends with
`__getattr__ = moved_names(__name__, {"old_name": "new.module:new_name", ...})`; a module
that moved whole stays as `__getattr__ = moved_module(__name__, "new.module")`. The
README's "Deprecated names" lists them. They go in a later major version.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable


def moved_names(
    module: str, new_homes: dict[str, str], instead: dict[str, str] | None = None
) -> Callable[[str], object]:
    """A module `__getattr__` that answers each old name from its new home ("module" when
    the name is unchanged, "module:name" when it was renamed) and warns that it moved:
    "use <new home>", or `instead`'s words for a name whose replacement is not one name
    (an old function answered by a private one that calls the new API)."""

    def __getattr__(name: str):
        if name not in new_homes:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        home, _, new_name = new_homes[name].partition(":")
        new_name = new_name or name
        use = (instead or {}).get(name, f"{home}.{new_name}")
        warnings.warn(f"{module}.{name} is deprecated: use {use}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(home), new_name)

    return __getattr__


def moved_module(module: str, home: str) -> Callable[[str], object]:
    """A module `__getattr__` for a module that moved whole to `home`: each of its public
    names answered from there, with a warning that says where."""

    def __getattr__(name: str):
        new = importlib.import_module(home)
        if name.startswith("_") or not hasattr(new, name):
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} is deprecated: use {home}.{name}", DeprecationWarning, stacklevel=2)
        return getattr(new, name)

    return __getattr__
