"""Issue #17: a kill at any step of a run that writes the index leaves the index as it was
before the run or as a clean run leaves it, never anything else, and the owner's files
in the index folder stay. The work is done by ``tests/faults.py`` in a new interpreter
that runs no other thread, so that it can fork a child per kill point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FAULTS = Path(__file__).with_name("faults.py")


@pytest.mark.parametrize("scenario", ["posts", "timezone", "dictionary", "rebuild"])
@pytest.mark.engine("whoosh")  # reads the Whoosh segments or files
def test_a_kill_at_every_step_leaves_before_or_after(scenario: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(FAULTS), scenario, str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    assert result["failures"] == []
    # Every step was tried twice (a kill just before it and just after it), and every
    # one of those ended in one of the two states.
    assert result["steps"] >= 20
    assert result["tried"] == 2 * result["steps"]
    assert result["outcomes"]["before"] + result["outcomes"]["after"] == result["tried"]
    # The last steps come after the commit: some kills must leave the after state.
    assert result["outcomes"]["before"] > 0 and result["outcomes"]["after"] > 0
