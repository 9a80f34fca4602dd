"""nltk without the scientific stack its package imports: newsbot uses only Punkt and Snowball.

``import nltk`` runs the package's ``__init__``, which imports every submodule, among them
collocation statistics (``scipy.stats``) and classifier wrappers (scikit-learn): 2.3-2.6 s
of a cold question, 1.4-1.6 s of it ``scipy.stats`` alone. nltk guards both imports and
stubs what needs them, so here they are refused while nltk loads, in the importing thread
only; anything imported later, by nltk or anyone else, is imported as usual.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from types import ModuleType
from typing import Any

# (bm25s has usually imported the rest of scipy already, for its sparse matrices.)
_SKIPPED = frozenset({"scipy.stats", "sklearn"})
_lock = threading.Lock()


class _Refuse(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self._thread = threading.get_ident()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if threading.get_ident() == self._thread and _skipped(fullname):
            raise ModuleNotFoundError(f"{fullname} is not needed by newsbot's use of nltk")
        return None


def _skipped(name: str) -> bool:
    return any(name == skipped or name.startswith(skipped + ".") for skipped in _SKIPPED)


def import_nltk() -> ModuleType:
    """The ``nltk`` package, imported without ``scipy.stats`` and scikit-learn unless they
    are loaded already."""
    with _lock:
        if "nltk" not in sys.modules and not _SKIPPED & sys.modules.keys():
            refuse = _Refuse()
            sys.meta_path.insert(0, refuse)
            try:
                import nltk
            finally:
                sys.meta_path.remove(refuse)
    import nltk

    return nltk
