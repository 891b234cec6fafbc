"""``python -m analysis`` is the ``retro`` command."""

from analysis.cli import app

app(prog_name="retro")
