"""The embedding model: sentence-transformers for documents, a numpy copy for questions."""
