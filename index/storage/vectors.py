"""The stored vector of each main-index record, in index order, saved beside BM25's files so
that a filtered dense search can score exactly the records a filter selects
(``index/search/exact.py``) instead of asking Chroma to filter.

```
bm25-g000003/
  vectors.f32    float32 rows, one per record, in the order of ids.npy (memory-mapped)
  vectors.json   {"rows": ..., "dim": ...}
```

The same vectors Chroma holds (fp32, 1.5 KB a record at 384 dimensions): a question reads
only the rows its filter selects, with ``pread`` through the page cache shared by every
process of the machine. Not memory-mapped: a mapping's fault-around maps 64 KB around each
row touched, and a year's 8,000 scattered rows at a million chunks put 520-920 MiB of the
file in the process's RSS (2.5-3.5 rows a run; reading them took 3-18 ms with ``pread``, RSS
flat). A main index saved before this file existed is searched as before (Chroma's
``where``) until :func:`derive_vectors` adds it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from index.storage.lexical import ChromaIds

log = logging.getLogger(__name__)

VECTORS = "vectors.f32"
SHAPE = "vectors.json"
# Records read from Chroma at a time when the file is derived from a collection.
_PAGE = 5000


class VectorWriter:
    """Rows appended a page at a time to a file, without holding them all in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self.dim: int | None = None
        self._out: BinaryIO | None = open(path, "xb")  # noqa: SIM115 (closed by finish)

    def add(self, rows: Any) -> None:
        block = np.asarray(rows, dtype=np.float32)
        if block.ndim != 2 or (self.dim is not None and block.shape[1] != self.dim):
            raise ValueError(f"vectors of shape {block.shape} after {self.dim} dimensions")
        self.dim = int(block.shape[1])
        assert self._out is not None
        self._out.write(np.ascontiguousarray(block).tobytes())
        self.rows += len(block)

    def finish(self, directory: Path) -> None:
        """Close the file and move it into ``directory``, its shape written last (a reader
        that finds the shape finds the rows it describes)."""
        if self._out is not None:
            self._out.close()
            self._out = None
        os.replace(self.path, directory / VECTORS)
        shape = directory / f".{SHAPE}-{secrets.token_hex(4)}"
        shape.write_text(json.dumps({"rows": self.rows, "dim": self.dim or 0}), encoding="utf-8")
        os.replace(shape, directory / SHAPE)

    def discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        self.path.unlink(missing_ok=True)


class VectorFile:
    """A saved vector file, read a few rows at a time. The file stays open, so a reader whose
    main index is swept meanwhile still reads it (as it does BM25's mapped files)."""

    def __init__(self, path: Path, rows: int, dim: int) -> None:
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 (closed with the object)
        if os.fstat(self._file.fileno()).st_size != rows * dim * 4:
            self._file.close()
            raise ValueError(f"{path.name} does not hold {rows} rows of {dim}")
        self.rows = rows
        self.dim = dim

    def __len__(self) -> int:
        return self.rows

    def read(self, positions: np.ndarray) -> np.ndarray:
        """The rows at ``positions`` (ascending), one ``pread`` per run of consecutive rows."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.empty((len(positions), self.dim), dtype=np.float32)
        if not len(positions):
            return out
        starts = np.flatnonzero(np.diff(positions, prepend=-2) != 1)
        ends = [*starts[1:].tolist(), len(positions)]
        row = self.dim * 4
        buffer = out.data.cast("B")
        fd = self._file.fileno()
        runs = list(zip(starts.tolist(), ends, strict=True))
        if hasattr(os, "posix_fadvise"):
            # All the runs asked of the disk at once, not one read after another: a year's
            # 8,000 rows not in the page cache took 41-78 ms instead of 277-558 ms.
            for a, b in runs:
                os.posix_fadvise(fd, int(positions[a]) * row, (b - a) * row, os.POSIX_FADV_WILLNEED)
        for a, b in runs:
            wanted = (b - a) * row
            if os.preadv(fd, [buffer[a * row : b * row]], int(positions[a]) * row) != wanted:
                raise OSError(f"{VECTORS} ended early")
        return out


def load_vectors(directory: Path, rows: int) -> VectorFile | None:
    """The vectors saved in ``directory``; None when there are none or they do not match the
    ``rows`` records of the index (the search then filters in Chroma)."""
    try:
        shape = json.loads((directory / SHAPE).read_text(encoding="utf-8"))
        if int(shape["rows"]) != rows or int(shape["dim"]) <= 0:
            raise ValueError(f"{shape['rows']} vectors for {rows} records")
        if rows == 0:
            return None
        return VectorFile(directory / VECTORS, rows, int(shape["dim"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("the vectors beside the BM25 index in %s are unusable (%s)", directory, e)
        return None


def derive_vectors(collection: Collection, directory: Path, ids: ChromaIds) -> int:
    """Write ``directory``'s vector file from ``collection``: the stored vector of each of
    the main index's records, by its Chroma id. A record deleted since the index was built
    (a replaced chunk, hidden from every reader) gets a zero row. Returns the rows written.
    """
    tmp = directory / f".{VECTORS}-{secrets.token_hex(4)}"
    writer = VectorWriter(tmp)
    try:
        for start in range(0, len(ids), _PAGE):
            wanted = ids.at(range(start, min(start + _PAGE, len(ids))))
            got = collection.get(ids=wanted, include=["embeddings"])
            found = dict(zip(got["ids"], got["embeddings"], strict=True))  # type: ignore[arg-type]
            dim = writer.dim or next((len(v) for v in found.values()), 0)
            if not dim:
                raise ValueError("the first records of the index have no stored vectors")
            page = np.zeros((len(wanted), dim), dtype=np.float32)
            for i, chroma_id in enumerate(wanted):
                vector = found.get(chroma_id)
                if vector is not None:
                    page[i] = vector
            writer.add(page)
        (directory / SHAPE).unlink(missing_ok=True)  # stale rows are never read with it
        writer.finish(directory)
    except BaseException:
        writer.discard()
        raise
    return writer.rows
