"""``python -m analysis`` is the ``retro`` command."""

from analysis.cli import main

main()
