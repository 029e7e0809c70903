"""Code shape: the numbers issue 31 tracks for the upper half of the code.

- what a new app must write: the abstract members and the annotated attributes without a
  value of each contract class in `CONTRACTS` that exists at this commit;
- `AppCli`-style hooks: the members of the CLI class an app may leave out (optional
  methods and flags), which must agree with each other by hand; and, after issue 31,
  the capabilities (`shared.capabilities`), each an app has whole or not at all;
- architecture branches: comparisons of something named `architecture` (or a bundle's,
  `architecture_of(...)`) with a constant, in the product code;
- import circles: groups of product modules that import each other, directly or through
  others (strongly connected parts of the import graph, imports inside functions included);
- the largest functions of the product code, in lines.

Run from the project root:
  .venv/bin/python -m benchmarks.code_shape
Writes benchmarks/results/code-shape-<short commit>.json and .md.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from dataclasses import MISSING
from pathlib import Path

from benchmarks.common import RESULTS, header, run_record, write_results

ROOT = RESULTS.parent.parent
PRODUCT = ("shared", "sentiment", "ner", "lm", "app_pages")
# The classes an app subclasses or fills in to be registered, before and after issue 31.
CONTRACTS = ("shared.tasks.Task", "shared.cli.AppCli", "shared.tasks.App")
HOOKS = "shared.cli.AppCli"  # its optional members are the hooks
CAPABILITIES = ("DataFiles", "Annotation", "Baseline", "ErrorRows")  # in shared.capabilities


def contract_class(dotted: str) -> type | None:
    module, _, name = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def contract_members(cls: type) -> dict[str, list[str]]:
    """{"required": names an app must give, "optional": names it may leave out}."""
    required, optional = [], []
    for klass in reversed(cls.__mro__[:-1]):
        fields = getattr(klass, "__dataclass_fields__", {})
        for name, value in vars(klass).items() if not fields else ():  # a record's members are its fields
            if name.startswith("_") or name in required or name in optional:
                continue
            (required if getattr(value, "__isabstractmethod__", False) else optional).append(name)
        for name in getattr(klass, "__annotations__", {}):
            if name.startswith("_") or name in required or name in optional:
                continue
            if name in fields:
                has_value = fields[name].default is not MISSING or fields[name].default_factory is not MISSING
            else:
                has_value = name in vars(klass)
            (optional if has_value else required).append(name)
    return {"required": required, "optional": optional}


def product_files() -> list[Path]:
    files = [path for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py"))]
    return [*files, ROOT / "streamlit_app.py"]


def mentions_architecture(node: ast.AST) -> bool:
    return any(
        (isinstance(part, ast.Attribute) and part.attr == "architecture")
        or (isinstance(part, ast.Name) and part.id in ("architecture", "architecture_of"))
        or (isinstance(part, ast.Constant) and part.value == "architecture")
        for part in ast.walk(node)
    )


def architecture_branches(trees: dict[Path, ast.Module]) -> list[str]:
    """`file:line` of each comparison of an architecture with a constant."""
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            if any(mentions_architecture(side) for side in sides) and any(
                isinstance(side, ast.Constant) and isinstance(side.value, str) for side in sides
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def largest_functions(trees: dict[Path, ast.Module], count: int = 5) -> list[dict]:
    functions = [
        {"function": f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", "lines": node.end_lineno - node.lineno + 1}
        for path, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    return sorted(functions, key=lambda item: -item["lines"])[:count]


def import_circles() -> list[list[str]]:
    """Each group of product modules that import each other, directly or through others:
    a module's group is what it imports, directly or not, that also imports it."""
    import grimp

    graph = grimp.build_graph(*PRODUCT)
    groups = set()
    for module in graph.modules:
        group = (graph.find_upstream_modules(module) & graph.find_downstream_modules(module)) | {module}
        if len(group) > 1:
            groups.add(tuple(sorted(group)))
    return sorted(list(group) for group in groups)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    trees = {path: ast.parse(path.read_text(), str(path)) for path in product_files()}
    contracts = {}
    for dotted in CONTRACTS:
        cls = contract_class(dotted)
        if cls is not None and inspect.isclass(cls):
            contracts[dotted] = contract_members(cls)
    report = {
        **run_record("benchmarks.code_shape", argv),
        "contracts": contracts,
        "must_write": sum(len(members["required"]) for members in contracts.values()),
        "optional_hooks": len(contracts.get(HOOKS, {}).get("optional", [])),
        "capabilities": {
            name: contract_members(cls)["required"]
            for name in CAPABILITIES
            if (cls := contract_class(f"shared.capabilities.{name}")) is not None
        },
        "architecture_branches": architecture_branches(trees),
        "import_circles": import_circles(),
        "largest_functions": largest_functions(trees),
    }
    write_results(f"code-shape-{report['commit'][:7]}", report, to_markdown(report))
    return 0


def to_markdown(report: dict) -> str:
    lines = [*header("Code shape of the upper half (issue 31)", report), "| measure | count | where |", "|---|---|---|"]
    for dotted, members in report["contracts"].items():
        lines.append(f"| {dotted}: must write | {len(members['required'])} | {', '.join(members['required'])} |")
        lines.append(f"| {dotted}: may leave out | {len(members['optional'])} | {', '.join(members['optional'])} |")
    lines += [
        f"| members a new app must write | {report['must_write']} | |",
        f"| CLI-class hooks an app may leave out | {report['optional_hooks']} | |",
        *(
            f"| capability {name} (whole or none) | {len(members)} members | {', '.join(members)} |"
            for name, members in report.get("capabilities", {}).items()
        ),
        f"| architecture branches | {len(report['architecture_branches'])} | "
        f"{', '.join(report['architecture_branches'])} |",
        f"| import circles | {len(report['import_circles'])} | "
        + "; ".join(" <-> ".join(circle) for circle in report["import_circles"])
        + " |",
    ]
    for item in report["largest_functions"]:
        lines.append(f"| largest function | {item['lines']} lines | {item['function']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
