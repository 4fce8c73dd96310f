"""Every third-party module the package imports is a declared dependency.

The dev environment pulls in more than a plain install (numpy came in through test
extras once, and a wheel installed alone then failed at run time), so this checks the
imports against pyproject.toml rather than against what happens to be installed.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Imported only on an optional path, guarded, and declared in an extra.
OPTIONAL = {"spacy": "ner", "rouge_score": "eval", "sumy": "eval", "ray": "ray", "pyarrow": "ray"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_top_level_modules() -> set[str]:
    modules: set[str] = set()
    for path in (ROOT / "summarizer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"summarizer", "__future__"}


def test_imports_are_declared_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = {_name(r) for r in project["dependencies"]}
    extras = {
        extra: {_name(r) for r in requirements}
        for extra, requirements in project["optional-dependencies"].items()
    }
    distributions = packages_distributions()
    missing = []
    for module in sorted(_imported_top_level_modules()):
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if module in OPTIONAL:
            ok = bool(names & extras[OPTIONAL[module]])
        elif module == "pytest":  # the pytest plugin module only runs inside pytest
            ok = True
        else:
            ok = bool(names & required)
        if not ok:
            missing.append(f"{module} (distribution {sorted(names)})")
    assert not missing, f"imported but not declared: {missing}"
