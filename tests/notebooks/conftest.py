"""The ``notebooks`` marker (``pytest -m notebooks`` runs only these; ``-m "not notebooks"``
skips the slow execution) and the Jupyter kernel the notebooks run in."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "notebooks: checks and executes the notebooks under notebooks/ (papermill); "
        'select with -m notebooks, skip with -m "not notebooks"',
    )


@pytest.fixture(scope="session")
def kernel_name() -> str:
    """A kernelspec that runs this environment's Python (installed into it when missing)."""
    from analysis.run.notebooks import kernel_for_this_python

    return kernel_for_this_python()
