"""The grader's old module names, kept working for one term, and the migration to the new ones.

Until version 2.1 the grader was 37 flat modules (``labgrader.execute``,
``labgrader.verify``, ...); they are now grouped by concern. A course folder made before
that (a hub's ``/home/grader-<course>/<course>/nbgrader_config.py``, which is written once and
never overwritten) still names the old modules. So each old name still imports, as an alias of
the module(s) that now hold what it held, with a ``FutureWarning`` naming the new one; the
aliases go away in version 3.

:func:`migrate_text` rewrites a configuration to the new names, and
``python -m labgrader.course.renamed nbgrader_config.py`` does it in place (keeping a copy of
the old file beside it); ``python -m labgrader.hub up`` does it for every course of a hub.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.machinery
import re
import shutil
import sys
import warnings
from pathlib import Path

RENAMED = {
    "labgrader.comments": ("labgrader.reporting.comments",),
    "labgrader.course_version": ("labgrader.course.version",),
    "labgrader.dask_worker": ("labgrader.fleet.worker",),
    "labgrader.distributed": ("labgrader.fleet.cluster",),
    "labgrader.exchange": ("labgrader.course.exchange",),
    "labgrader.execute": ("labgrader.autograde.execute", "labgrader.autograde.exporter"),
    "labgrader.export": ("labgrader.reporting.export",),
    "labgrader.feedback": ("labgrader.reporting.feedback",),
    "labgrader.forkserver": ("labgrader.kernels.forkserver",),
    "labgrader.formgrader": ("labgrader.reporting.formgrader",),
    "labgrader.gradebook_open": ("labgrader.autograde.gradebook",),
    "labgrader.hub_roster": ("labgrader.hub.roster",),
    "labgrader.intake": ("labgrader.autograde.intake", "labgrader.autograde.failures"),
    "labgrader.integrity": ("labgrader.autograde.integrity",),
    "labgrader.judge": ("labgrader.judging.judge", "labgrader.judging.properties"),
    "labgrader.kernel_ahead": ("labgrader.kernels.ahead",),
    "labgrader.limits": ("labgrader.autograde.limits",),
    "labgrader.methods": ("labgrader.judging.original_lab",),
    "labgrader.mismatch": ("labgrader.judging.mismatch",),
    "labgrader.parallel": (
        "labgrader.fleet.local",
        "labgrader.fleet.cli",
        "labgrader.fleet.outcome",
    ),
    "labgrader.parts": ("labgrader.judging.properties",),
    "labgrader.reference": ("labgrader.judging.reference",),
    "labgrader.report": ("labgrader.reporting.report",),
    "labgrader.rules": ("labgrader.judging.rules",),
    "labgrader.sample_class": ("labgrader.sample.sample_class",),
    "labgrader.sandbox_check": ("labgrader.sandbox.readiness",),
    "labgrader.sandbox_setup": ("labgrader.sandbox.policy",),
    "labgrader.submissions": ("labgrader.course.assignment", "labgrader.sample.submissions"),
    "labgrader.timings": ("labgrader.autograde.timings",),
    "labgrader.variants": ("labgrader.judging.variants",),
    "labgrader.verify": ("labgrader.autograde.verify",),
    "labgrader.warm": ("labgrader.kernels.warm",),
}
"""Each old module name and the modules that now hold what it held, where to look first."""

RUNNABLE = {
    "labgrader.parallel": "labgrader.fleet.cli",
    "labgrader.report": "labgrader.reporting.report",
    "labgrader.sample_class": "labgrader.sample",
}
"""Old modules that ran with ``python -m``, and what runs in their place."""

MIGRATE_COMMAND = "python -m labgrader.course.renamed nbgrader_config.py"


def _warning(old: str) -> str:
    return (
        f"{old} is now {' and '.join(RENAMED[old])}: the old name works until version 3 of the "
        f"grader. Update the course's configuration with `{MIGRATE_COMMAND}` (in the course "
        "folder), or, on the course hub, `python -m labgrader.hub up`."
    )


class _Alias(importlib.abc.Loader):
    """Loads an old name as a module that hands out the attributes of the new ones."""

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        warnings.warn(_warning(module.__name__), FutureWarning, stacklevel=2)
        targets = [importlib.import_module(name) for name in RENAMED[module.__name__]]

        def attribute(name: str):
            for target in targets:
                if hasattr(target, name):
                    return getattr(target, name)
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")

        module.__getattr__ = attribute

    def get_code(self, fullname: str):
        """What ``python -m <old name>`` runs: the new module, after the warning."""
        if fullname not in RUNNABLE:
            raise ImportError(
                f"{fullname} is not a module that runs (it is now {RENAMED[fullname]})"
            )
        source = (
            "import runpy, warnings\n"
            f"warnings.warn({_warning(fullname)!r}, FutureWarning, stacklevel=1)\n"
            f"runpy.run_module({RUNNABLE[fullname]!r}, run_name='__main__', alter_sys=True)\n"
        )
        return compile(source, f"<{fullname}>", "exec")

    def is_package(self, fullname: str) -> bool:
        return False


class RenamedModuleFinder(importlib.abc.MetaPathFinder):
    """Finds the old module names (after every other finder found nothing)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in RENAMED:
            return importlib.machinery.ModuleSpec(fullname, _Alias())
        return None


def install() -> None:
    """Let the old names import, once per process."""
    if not any(isinstance(finder, RenamedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(RenamedModuleFinder())


_OLD_NAME = re.compile(r"\blabgrader\.([a-z_]+)\.([A-Za-z_][A-Za-z0-9_]*)")


def migrate_text(text: str) -> tuple[str, list[str]]:
    """``text`` with every ``labgrader.<old module>.<Name>`` replaced by the new module's name.

    Returns the new text and the replacements made (``"old -> new"``, once each).
    """
    changes: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        old = f"labgrader.{match.group(1)}"
        if old not in RENAMED:
            return match.group(0)
        name = match.group(2)
        for new in RENAMED[old]:
            if hasattr(importlib.import_module(new), name):
                changes[f"{old}.{name}"] = f"{new}.{name}"
                return f"{new}.{name}"
        return match.group(0)

    return _OLD_NAME.sub(replace, text), [f"{old} -> {new}" for old, new in changes.items()]


def migrate_file(path: Path) -> list[str]:
    """Rewrite a configuration file to the new names in place, keeping the old one as
    ``<name>.before-2.1``; returns the replacements (none: the file is left alone)."""
    path = Path(path)
    text, changes = migrate_text(path.read_text())
    if changes:
        backup = path.with_name(path.name + ".before-2.1")
        if not backup.exists():
            shutil.copy2(path, backup)
        path.write_text(text)
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Bring a course's configuration to the new names.")
    parser.add_argument("config", type=Path, nargs="+", help="an nbgrader_config.py")
    args = parser.parse_args(argv)
    for path in args.config:
        changes = migrate_file(path)
        print(f"{path}: " + ("; ".join(changes) if changes else "already uses the new names"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
