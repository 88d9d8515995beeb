"""README's promises: the two commands come first and .ci/run runs the same test command; the configuration
table lists every setting."""

from __future__ import annotations

import re

from fakeai.config import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    lines = [line for line in README.splitlines() if line.strip()]
    assert lines[0].startswith("# ") and lines[1] == "```bash", "README must open with the commands block"
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    serve, test = commands
    assert "fakeai serve" in serve
    assert "pytest" in test
    ci = (REPO / ".ci" / "run").read_text()
    assert test in ci.splitlines()


def test_configuration_table_lists_every_setting() -> None:
    table = {m.group(1) for m in re.finditer(r"^\| `(\w+)` \|", README, re.M)}
    assert table == set(Settings.model_fields)
