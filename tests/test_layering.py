"""The layers hold: commonpot <- pantry <- kitchen <- volunteers.

An app may import the apps to its left and never one to its right (pantry.network
is part of pantry; the core imports no app). The contract lives in pyproject.toml
under [tool.importlinter]; `lint-imports` checks the same from a shell.
"""

from pathlib import Path

from importlinter import configuration
from importlinter.application.use_cases import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_no_app_imports_an_app_to_its_right(capsys):
    configuration.configure()
    kept = lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out
