"""The study file's ``engine`` setting: which engine runs the counts (``docs/config.md``).

``engine: {backend: duckdb}`` (the default: DuckDB inside this process) or ``engine: {backend:
spark, master: "spark://host:7077", conf: {spark.executor.memory: 8g}, collect_limit:
5000000}``. The run itself is the same; only where the counts run changes (``docs/spark.md``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Spark master URLs: local[N], local[*], local[N,F], local-cluster[...], spark://, yarn, k8s://,
#: mesos://.
_MASTER = re.compile(
    r"^(local(\[(\d+|\*)(,\d+)?\])?|local-cluster\[[\d, ]+\]|spark://\S+|yarn|k8s://\S+"
    r"|mesos://\S+)$"
)


class EngineSettings(BaseModel):
    """Where the counts run: ``backend`` duckdb (in-process) or spark (``master``, ``conf``);
    ``collect_limit``: the most per-patient rows a model or Kaplan–Meier table may bring to the
    Spark driver."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["duckdb", "spark"] = "duckdb"
    master: str | None = Field(
        default=None,
        description="Spark master URL (local[2], spark://host:7077, yarn, k8s://...); default "
        "local[*], or the master given by spark-submit",
    )
    conf: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Spark settings (spark.*), over the engine's defaults"
    )
    collect_limit: int = Field(
        default=5_000_000,
        ge=0,
        description="most per-patient rows a step may collect to the Spark driver",
    )

    @field_validator("master")
    @classmethod
    def _master_url(cls, v: str | None) -> str | None:
        if v is not None and not _MASTER.match(v):
            raise ValueError(
                f"engine.master {v!r} is not a Spark master URL; expected local[N], local[*], "
                "spark://host:port, yarn or k8s://https://host:port"
            )
        return v

    @field_validator("conf")
    @classmethod
    def _spark_keys(cls, v: dict[str, object]) -> dict[str, object]:
        bad = [k for k in v if not k.startswith("spark.")]
        if bad:
            raise ValueError(
                f"engine.conf keys {bad} are not Spark settings; every key starts with 'spark.' "
                "(e.g. spark.executor.memory: 8g)"
            )
        return v

    @model_validator(mode="after")
    def _spark_only(self) -> EngineSettings:
        if self.backend == "duckdb":
            given = [k for k in ("master", "conf") if getattr(self, k)]
            if given:
                raise ValueError(
                    f"engine.{given[0]} is a Spark setting but engine.backend is duckdb; set "
                    f"`backend: spark` to count on Spark, or remove `{given[0]}`"
                )
        return self
