"""Citation markers in answer text: ``[2]``, and the forms models write (``[1, 3]``, ``[1][2]``).

Every answer, extractive or generated, is sentences followed by the numbers of the passages
that support them; this is the one place that reads them back.
"""

from __future__ import annotations

import re

from index.text.sentences import sentence_spans

# One marker, as models write them too: "[2]", "[1, 3]", "[ 2 ]"; with the space before it.
MARKER = re.compile(r"\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\])+")


def split_cited(text: str) -> list[tuple[str, list[int]]]:
    """The sentences of ``text``, each with the numbers it cites, markers removed.

    Markers written after the full stop ("... force. [1] The ...") belong to the sentence
    before them.
    """
    pieces: list[tuple[str, list[int]]] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        leading = _LEADING_MARKERS.match(sentence)
        if leading and pieces:
            pieces[-1][1].extend(_numbers(leading.group()))
            sentence = sentence[leading.end() :]
        numbers = _numbers(sentence)
        stripped = _tidy(MARKER.sub("", sentence))
        if stripped:
            pieces.append((stripped, numbers))
        elif pieces:
            pieces[-1][1].extend(numbers)
    return pieces


def remove_markers(text: str) -> str:
    """``text`` without its citation markers."""
    return _tidy(MARKER.sub("", text))


def _numbers(text: str) -> list[int]:
    return [int(n) for marker in MARKER.findall(text) for n in re.findall(r"\d+", marker)]


def _tidy(sentence: str) -> str:
    """Spaces left before punctuation by a removed marker ("force [1]." -> "force.")."""
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(sentence.split())).strip()
