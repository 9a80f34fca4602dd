"""Where the index lives: Chroma generations, the BM25 index, the re-index lease."""
