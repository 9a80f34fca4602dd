"""Running `newsbot` against the loopback news site, for the feed tests."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.e2e.bot_world import NEWSBOT


def newsbot(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([NEWSBOT, *args], capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"newsbot {args} exited {result.returncode}: {result.stderr}")
    return result


def fetch(env: dict[str, str]) -> dict[str, Any]:
    """`newsbot fetch --json`'s report."""
    return dict(json.loads(newsbot(env, "fetch", "--json").stdout))


def ask(env: dict[str, str], question: str) -> dict[str, Any]:
    return dict(json.loads(newsbot(env, "ask", "--json", question).stdout))


def by_feed(report: dict[str, Any], url: str) -> dict[str, Any]:
    """One feed's part of a fetch report."""
    return dict(next(f for f in report["feeds"] if f["feed"] == url))
