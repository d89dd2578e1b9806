"""Replay the seed tutorial's snippets with arenagrad (same as
``python -m arenagrad tutorial``)."""

from arenagrad.tutorial import main

if __name__ == "__main__":
    main()
