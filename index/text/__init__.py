"""Language shared by every step: sentences, words and stems, answer kinds, dates."""
