"""The `newsbot` command line: parsing arguments and printing results, over ``index``."""

from bot.cli.root import main

__all__ = ["main"]
