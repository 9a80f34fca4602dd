"""Finding and ranking the passages that may answer a question, in the live generation."""
