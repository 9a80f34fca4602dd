"""Optional answers written by a language model, and the check of every citation."""
