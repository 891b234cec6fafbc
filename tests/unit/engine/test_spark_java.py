"""Spark's Java, found or said before the run needs it: a JAVA_HOME with no runnable
bin/java (Spark starts it ahead of the PATH's) stopped ``retro run --engine spark`` after the
clean with pyspark's [JAVA_GATEWAY_EXITED] as "an unexpected error" and shell noise."""

from __future__ import annotations

import pytest

from analysis.engine import backends
from analysis.errors import PipelineError


def test_a_java_home_without_java_is_said_before_spark_starts(monkeypatch, tmp_path):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no_jdk_here"))
    with pytest.raises(PipelineError, match=r"JAVA_HOME, which is .*no_jdk_here.*no runnable"):
        backends._build_session(master="local[1]", conf={})
    (tmp_path / "jdk" / "bin").mkdir(parents=True)
    (tmp_path / "jdk" / "bin" / "java").write_text("not a program\n", encoding="utf-8")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))  # there, but not executable
    with pytest.raises(PipelineError, match="no runnable bin/java"):
        backends._build_session(master="local[1]", conf={})


def test_an_empty_java_home_counts_as_unset(monkeypatch):
    monkeypatch.setenv("JAVA_HOME", "")
    assert backends._java_home() is None
