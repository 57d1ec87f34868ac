"""``python -m sim``: the same as the ``gridgov`` command."""

from sim.cli import main

main()
