"""``python -m analysis`` is the ``retro`` command."""

from analysis.run.cli import main

main()
