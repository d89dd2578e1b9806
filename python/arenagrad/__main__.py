"""``python -m arenagrad``: see ``arenagrad.cli``."""

from .cli import main

raise SystemExit(main())
