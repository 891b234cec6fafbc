"""pyproject.toml is the single source of dependencies; environment.yml must say the same."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import REPO


def _spec(req: str) -> tuple[str, str]:
    m = re.match(r"^([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)\s*(.*)$", req.strip())
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = dict(_spec(r) for r in project["dependencies"] + extras["dev"] + extras["spark"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    listed = [
        d
        for d in env["dependencies"]
        if isinstance(d, str) and not d.startswith(("python=", "pip"))
    ]
    have = dict(_spec(d) for d in listed)
    assert have == wanted


def test_pandas_is_pinned_below_3():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pandas = [r for r in project["dependencies"] if r.startswith("pandas")]
    assert pandas == ["pandas>=2.1,<3"]
