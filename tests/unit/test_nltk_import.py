"""nltk loads without scipy and scikit-learn, and what newsbot uses of it still works."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_nltk_is_imported_without_scipy_stats_or_scikit_learn() -> None:
    out = _run(
        """
        import sys
        from index.text.nltk_import import import_nltk
        import_nltk()
        from nltk.stem.snowball import SnowballStemmer
        from nltk.tokenize.punkt import PunktTokenizer
        print("nltk" in sys.modules, "scipy.stats" in sys.modules, "sklearn" in sys.modules)
        print(SnowballStemmer("english").stem("ministers"))
        """
    )
    assert out.splitlines() == ["True False False", "minist"]


def test_while_nltk_loads_other_threads_import_scipy_as_usual() -> None:
    out = _run(
        """
        import sys, threading
        from index.text import nltk_import
        refuse = nltk_import._Refuse()  # as while import_nltk runs in this thread
        sys.meta_path.insert(0, refuse)
        try:
            import scipy.stats
        except ImportError:
            print("refused here")
        found = []
        def other():
            import scipy.stats
            found.append(float(scipy.stats.norm.cdf(0.0)))
        worker = threading.Thread(target=other)
        worker.start(); worker.join()
        sys.meta_path.remove(refuse)
        import sklearn
        print(found, sklearn.__name__)
        """
    )
    assert out.splitlines() == ["refused here", "[0.5] sklearn"]


def test_when_scipy_is_already_loaded_nltk_is_imported_whole() -> None:
    out = _run(
        """
        import scipy.stats, sys
        from index.text.nltk_import import import_nltk
        import_nltk()
        from nltk.metrics.association import fisher_exact
        print(fisher_exact.__module__)
        """
    )
    assert out.startswith("scipy.stats")
