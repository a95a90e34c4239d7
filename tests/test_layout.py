"""The package's shape (issue 13): stages in order, faces only across stages, small modules,
the stable API of CONTRACT 7 at the top level.

The stage order is the data flow of the README (the release hands its public figures to the
report, which renders them; the synthetic stage checks everything before it); a module may
import its own stage, the shared top-level modules and the faces (``risk_indicators.<stage>``)
of earlier stages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import risk_indicators as ri

PACKAGE = Path(ri.__file__).resolve().parent
STAGES = ("intake", "cube", "stats", "fairness", "riskmodel", "analysis", "disclosure", "report",
          "release", "synthetic")  # fmt: skip
SHARED = {"errors", "config", "periods", "_atomic", "_params", "_version"}
#: Modules above about 400 lines are split by job; these are the few tables of text.
MAX_LINES = 420


def _stage(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else ""


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(absolute module, names, line) of every package import of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE).with_suffix("").parts
    here = ["risk_indicators", *rel[:-1]]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.startswith("risk_indicators"):
                out.append((module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names
                    if a.name.startswith("risk_indicators")]  # fmt: skip
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_data" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_stages(path: Path) -> None:
    """No import of a later stage, and across stages only the face's public names."""
    here = _stage(path)
    for module, names, line in _imports(path):
        parts = module.split(".")
        if len(parts) == 1:  # "import risk_indicators" / "from risk_indicators import x"
            assert here in ("", "synthetic") or path.name == "cli.py", (path, line)
            continue
        target = parts[1]
        if target in SHARED or target == "cli":
            assert target != "cli", f"{path}:{line} imports the command line"
            continue
        if target == here or target not in STAGES:
            continue
        where = f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        assert path.stem not in SHARED, f"{where}: a shared module depends on no stage"
        if here in STAGES:
            assert STAGES.index(target) < STAGES.index(here), f"{where}: a later stage"
        assert len(parts) == 2, f"{where}: a stage's module, not its face"
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{where}: private names {private}"


def test_faces_export_only_what_they_define_or_import() -> None:
    for stage in STAGES:
        face = __import__(f"risk_indicators.{stage}", fromlist=["__all__"])
        missing = [n for n in getattr(face, "__all__", []) if not hasattr(face, n)]
        assert not missing, (stage, missing)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


def test_no_assert_guards_in_the_package() -> None:
    """``python -O`` removes assert statements: input checks raise errors instead."""
    found = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(PACKAGE)}:{n.lineno}" for n in ast.walk(tree)
                  if isinstance(n, ast.Assert)]  # fmt: skip
    assert not found, found


def test_no_blanket_warning_filters() -> None:
    """Warnings are caught by category (``simplefilter("ignore", SomeWarning)``), never all."""
    found = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("simplefilter", "filterwarnings")
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value == "ignore"
                    and len(node.args) < 2 and not node.keywords):  # fmt: skip
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, found


CONTRACT_7 = ("load_config", "read_reports", "read_population", "aggregate", "analyse",
              "write_release", "farrington_flexible")  # fmt: skip


def test_contract_7_names_at_the_top_level() -> None:
    for name in CONTRACT_7:
        assert callable(getattr(ri, name)), name
        assert name in ri.__all__, name
    # the README's example needs nothing from the command line or private modules
    assert ri.demo_data_dir().joinpath("reports.csv").is_file()
    assert isinstance(ri.DEMO_KEY, bytes) and len(ri.DEMO_KEY) >= 16
