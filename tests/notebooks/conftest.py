"""The ``notebooks`` marker (``pytest -m notebooks`` runs only these; ``-m "not notebooks"``
skips the slow execution) and the Jupyter kernel the notebooks run in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

KERNEL_NAME = "python3"
FALLBACK_KERNEL_NAME = "retro-analysis"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "notebooks: checks and executes the notebooks under notebooks/ (papermill); "
        'select with -m notebooks, skip with -m "not notebooks"',
    )


def _runs_this_python(argv: list[str]) -> bool:
    """True when a kernelspec command starts the interpreter running the tests.

    jupyter_client replaces a bare ``python`` / ``python3`` by the interpreter that starts the
    kernel (here: this one, running papermill); an absolute path must be this environment's.
    """
    exe = argv[0] if argv else ""
    if exe in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        return True
    return Path(exe).absolute().parent == Path(sys.executable).absolute().parent


@pytest.fixture(scope="session")
def kernel_name() -> str:
    """A kernelspec that runs this environment's Python (installed into it when missing).

    ``python3`` normally resolves to ipykernel's own spec in the environment. If it is missing,
    or a spec of that name elsewhere (e.g. ``~/.local/share/jupyter``) would start another
    interpreter, a spec is installed into this environment (``--sys-prefix``); doing so again is
    harmless.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if _runs_this_python(spec.argv):
            return KERNEL_NAME
        name = FALLBACK_KERNEL_NAME
    except NoSuchKernel:
        name = KERNEL_NAME
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", name],
        check=True,
        capture_output=True,
    )
    spec = KernelSpecManager().get_kernel_spec(name)
    assert _runs_this_python(spec.argv), f"kernelspec {name!r} starts {spec.argv[0]!r}"
    return name
