"""newsbot's core: reading the corpus, indexing it into Chroma, answering with citations.

Nothing in here knows about Discord or the command line; see ``bot/`` for those.
"""
