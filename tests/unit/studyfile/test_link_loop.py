"""A study file that is a symbolic link to itself (a loop) was an "unexpected error":
``Path.resolve`` raised while the "not found" message was being written."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig


def test_a_link_loop_is_said_in_words(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to("loop.yaml")
    with pytest.raises(ConfigError, match="a symbolic link that leads back to itself"):
        StudyConfig.load(loop)
