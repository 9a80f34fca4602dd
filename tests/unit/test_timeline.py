"""One line per fact, every report of it cited, the newest event first (index/answer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from index.answer.compose import compose_answer
from index.answer.conversation import question_time, standalone
from index.models import Passage

TODAY = dt.date(2024, 1, 10)


def report(
    text: str,
    *,
    article: str,
    published: str,
    event: str,
    source: str = "Harbour Gazette",
    similarity: float = 0.6,
) -> Passage:
    """A passage whose matched sentence is all of ``text``, of an event on ``event``."""
    year, month, day = (int(x) for x in event.split("-"))
    day_number = year * 10000 + month * 100 + day
    return Passage(
        chunk_id=f"{article}#s0",
        article_id=article,
        title=f"Title of {article}",
        source=source,
        published_at=published,
        url=f"https://example.test/{article}",
        text=text,
        sentence=text,
        start=0,
        end=len(text),
        sentence_start=0,
        score=similarity,
        similarity=similarity,
        overlap=1.0,
        window_overlap=1.0,
        event_start=day_number,
        event_end=day_number,
        event_date=event,
    )


def ask(question: str, passages: list[Passage]) -> object:
    return compose_answer(
        standalone(question, question_time(question, TODAY)),
        passages,
        min_relevance=0.3,
        max_lines=4,
    )


SUMMIT_2023 = "The ministers agreed on Tuesday to share the water of the Lornet in dry years."
SUMMIT_2023_AGAIN = "On Tuesday the ministers agreed to share the Lornet's water in dry years."
SUMMIT_2019 = "The ministers agreed on Monday to set up a joint commission on the Lornet."


def test_two_outlets_reporting_one_fact_make_one_line_citing_both() -> None:
    answer = ask(
        "What did the ministers agree on the Lornet?",
        [
            report(SUMMIT_2023, article="a", published="2023-03-15", event="2023-03-14"),
            report(
                SUMMIT_2023_AGAIN,
                article="b",
                published="2023-03-15",
                event="2023-03-14",
                source="Morning Ledger",
            ),
        ],
    )
    assert answer.found
    (line,) = answer.lines
    assert line.citations == (1, 2)
    assert answer.answer.endswith("[1][2]")
    assert [c.source for c in answer.citations] == ["Harbour Gazette", "Morning Ledger"]


def test_an_article_is_listed_once_under_sources_however_many_lines_cite_it() -> None:
    first = report(SUMMIT_2023, article="a", published="2023-03-15", event="2023-03-14")
    second = report(SUMMIT_2019, article="a", published="2023-03-15", event="2019-06-03")
    answer = ask("What did the ministers agree on the Lornet?", [first, second])
    assert [c.n for c in answer.citations] == [1]
    assert all(line.citations == (1,) for line in answer.lines)


def test_an_undated_question_over_several_events_leads_with_the_newest_dated() -> None:
    answer = ask(
        "What did the ministers agree on the Lornet?",
        [
            report(SUMMIT_2019, article="old", published="2019-06-04", event="2019-06-03"),
            report(SUMMIT_2023, article="new", published="2023-03-15", event="2023-03-14"),
        ],
    )
    lead, earlier = answer.lines
    assert lead.event_date == "2023-03-14" and not lead.earlier
    assert earlier.event_date == "2019-06-03" and earlier.earlier
    assert answer.answer.splitlines() == [
        f"14 March 2023 — {SUMMIT_2023} [1]",
        "Earlier:",
        f"- 3 June 2019 — {SUMMIT_2019} [2]",
    ]


def test_a_question_about_a_year_is_answered_from_that_year_only() -> None:
    answer = ask(
        "What did the ministers agree on the Lornet in 2019?",
        [
            report(SUMMIT_2023, article="new", published="2023-03-15", event="2023-03-14"),
            report(SUMMIT_2019, article="old", published="2019-06-04", event="2019-06-03"),
        ],
    )
    assert answer.found
    assert [line.event_date for line in answer.lines] == ["2019-06-03"]
    assert answer.time.to_dict() == {"from": "2019-01-01", "to": "2019-12-31", "recency": False}


def test_a_year_with_no_such_event_is_declined_naming_the_years_there_are() -> None:
    answer = ask(
        "What did the ministers agree on the Lornet in 2021?",
        [
            report(SUMMIT_2023, article="new", published="2023-03-15", event="2023-03-14"),
            report(SUMMIT_2019, article="old", published="2019-06-04", event="2019-06-03"),
        ],
    )
    assert not answer.found
    assert answer.reason is not None
    assert "2021" in answer.reason and "2019 and 2023" in answer.reason


def test_a_sentence_that_states_its_date_is_not_dated_again() -> None:
    stated = "On 14 March 2023 the ministers agreed to share the Lornet's water in dry years."
    answer = ask(
        "What did the ministers agree on the Lornet?",
        [report(stated, article="a", published="2023-03-15", event="2023-03-14")],
    )
    assert answer.answer == f"{stated} [1]"
    assert answer.citations[0].event_date == "2023-03-14"


def test_a_years_figure_reported_weeks_later_leads_the_years_news_that_answer_worse() -> None:
    # A year's figure can only be told after the year: the news of the year's other events
    # is "of the time", but does not say what was asked.
    figure = year_report(
        "Wolves killed 610 sheep in 2020, and compensation payments rose to 410,000 crowns.",
        article="count",
        published="2021-02-12",
        year=2020,
    )
    ruling = report(
        "For farmers in Hollin Fell, the case was never about wolves in general.",
        article="ruling",
        published="2020-06-30",
        event="2020-06-29",
    )
    answer = ask(
        "What did farmers receive in compensation for sheep killed in 2020?", [figure, ruling]
    )
    assert answer.found and "410,000" in answer.lines[0].text


def year_report(text: str, *, article: str, published: str, year: int) -> Passage:
    """A passage whose matched sentence is all of ``text``, of an event in ``year``."""
    passage = report(text, article=article, published=published, event=f"{year}-01-01")
    return replace(passage, event_end=year * 10000 + 1231, event_date=str(year))


def test_a_follow_up_leads_with_the_event_nearest_the_one_the_answer_before_told() -> None:
    from dataclasses import replace

    from index.text.events import Event

    asked = standalone("What did the ministers agree on the Lornet?")
    # The answer before led with the 2019 talks: "what did they agree" asks of them.
    follow_up = replace(
        asked,
        is_follow_up=True,
        follows=Event(dt.date(2019, 6, 1), dt.date(2019, 6, 1), "day"),
    )
    answer = compose_answer(
        follow_up,
        [
            report(SUMMIT_2019, article="old", published="2019-06-04", event="2019-06-03"),
            report(SUMMIT_2023, article="new", published="2023-03-15", event="2023-03-14"),
        ],
        min_relevance=0.3,
        max_lines=4,
    )
    assert answer.answer.splitlines() == [
        f"3 June 2019 — {SUMMIT_2019} [1]",
        f"14 March 2023 — {SUMMIT_2023} [2]",
    ]


def test_a_follow_up_is_led_by_the_nearest_fact_telling_what_it_asks_itself() -> None:
    from index.answer.timeline import Report, arrange, merge_reports
    from index.text.dates import QuestionTime
    from index.text.events import Event

    def fact(text: str, article: str, day: dt.date) -> Report:
        passage = report(text, article=article, published=day.isoformat(), event=str(day))
        return Report(text, passage, 1.0, 0.8, Event(day, day, "day"))

    lines = [
        fact(SUMMIT_2019, "a", dt.date(2019, 6, 3)),
        fact(SUMMIT_2023, "b", dt.date(2023, 3, 14)),
        fact(
            "The ministers will meet again in 2026 to review the water deal.",
            "c",
            dt.date(2025, 1, 9),
        ),
    ]
    arranged = arrange(
        merge_reports(lines),
        QuestionTime(),
        4,
        near=Event(dt.date(2019, 6, 3), dt.date(2019, 6, 3), "day"),
        tells=lambda sentence: "water" in sentence,  # "And what about the water?"
    )
    # 2019's fact is nearest but tells nothing of the water; 2023's is the nearest that does.
    assert [f.reports[0].passage.article_id for f in arranged] == ["b", "c", "a"]
    assert [f.earlier for f in arranged] == [False, False, True]


def test_a_follow_up_asking_when_is_not_led_by_where_the_conversation_has_got_to() -> None:
    from dataclasses import replace

    from index.text.events import Event

    question = "When did the ministers agree on the Lornet?"
    follow_up = replace(
        standalone(question),
        is_follow_up=True,
        own_words=question,
        follows=Event(dt.date(2019, 6, 3), dt.date(2019, 6, 3), "day"),
    )
    answer = compose_answer(
        follow_up,
        [
            report(SUMMIT_2019, article="old", published="2019-06-04", event="2019-06-03"),
            report(SUMMIT_2023, article="new", published="2023-03-15", event="2023-03-14"),
        ],
        min_relevance=0.3,
        max_lines=4,
    )
    assert answer.lines[0].event_date == "2023-03-14"


def test_by_a_month_is_answered_by_the_newest_report_up_to_it() -> None:
    # "By May 2023" asks how things stood then: an older count answers it less.
    older = report(
        "The company said 148 households from the old village had moved.",
        article="older",
        published="2022-09-16",
        event="2022-09-16",
        similarity=0.7,
    )
    newer = report(
        "The company said 187 households from the old village have now moved.",
        article="newer",
        published="2023-05-23",
        event="2023-05-23",
        similarity=0.6,
    )
    answer = ask("How many households from the old village had moved by May 2023?", [older, newer])
    assert answer.found and "187" in answer.lines[0].text


def test_why_is_led_by_the_line_going_on_to_give_the_cause() -> None:
    # News tells what happened, then its cause in the next sentence.
    lede = "The company said the cost of building the mine had risen to 465 million pounds."
    cause = "Kestrel blamed higher prices for steel and electricity."
    rise = replace(
        report(f"{lede} {cause}", article="rise", published="2023-06-21", event="2023-06-21"),
        sentence=lede,
        end=len(lede),
    )
    earlier = report(
        "The company said the mine would now cost about 310 million pounds to build, up from "
        "earlier estimates.",
        article="earlier",
        published="2020-03-03",
        event="2020-03-03",
        similarity=0.7,
    )
    answer = ask(
        "Why did the company say the cost of building the mine had gone up?", [earlier, rise]
    )
    assert answer.found and "steel and electricity" in answer.lines[0].text
