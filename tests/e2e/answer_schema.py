"""The keys of `newsbot ask --json`'s answer and citation objects: the contract scripts rely on."""

ANSWER_KEYS = {
    "question",
    "answer",
    "found",
    "reason",
    "short_answer",
    "time",
    "lines",
    "citations",
}
CITATION_KEYS = {
    "n",
    "article_id",
    "title",
    "source",
    "published_at",
    "url",
    "passage",
    "score",
    "event_date",
}
