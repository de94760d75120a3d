"""`.env.example` documents every variable Pustaka reads (config/env.py promises it)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Settings read through config/env.py's helpers, and the environment read directly.
READS = re.compile(
    r"""(?:\benv(?:_[a-z]+)?|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)
NOT_SETTINGS = {"PUSTAKA_REQUIRE_BROWSER"}  # the test suite's own switch (README, .ci/run)


def _read_names() -> set[str]:
    names = set()
    for path in [*ROOT.glob("config/**/*.py"), *ROOT.glob("*/management/commands/*.py")]:
        names |= set(READS.findall(path.read_text()))
    return names - NOT_SETTINGS


def test_every_variable_pustaka_reads_is_in_env_example():
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    names = _read_names()
    assert "DATABASE_URL" in names and "PUSTAKA_DB_PREPARED_STATEMENTS" in names  # it finds them
    assert sorted(names - documented) == []
