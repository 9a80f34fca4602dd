from __future__ import annotations

import datetime as dt

import pytest

from index.answer.conversation import (
    Conversation,
    looks_like_follow_up,
    question_time,
    swap_place_or_time,
)
from index.text.dates import QuestionTime


@pytest.mark.parametrize(
    "question",
    [
        "where did he host them?",
        "and in the 1990s?",
        "What about Russia?",
        "Why?",
        "When was that?",
    ],
)
def test_questions_that_lean_on_an_earlier_turn_are_follow_ups(question: str) -> None:
    assert looks_like_follow_up(question)


@pytest.mark.parametrize(
    "question",
    ["What was agreed at Sochi?", "How many people died in the 2020 Karabakh war?"],
)
def test_questions_that_stand_alone_are_not_follow_ups(question: str) -> None:
    assert not looks_like_follow_up(question)


def test_first_question_of_a_conversation_is_searched_as_asked() -> None:
    resolved = Conversation().resolve("where did he host them?")
    assert not resolved.is_follow_up and resolved.search_text == "where did he host them?"


def test_follow_up_is_searched_with_the_topic_it_leans_on() -> None:
    conversation = Conversation()
    conversation.record(conversation.resolve("Who hosted the foreign ministers?"), "", ("a",))
    resolved = conversation.resolve("where did he host them?")
    assert resolved.search_text == "Who hosted the foreign ministers? where did he host them?"


def test_chained_follow_ups_keep_the_original_topic() -> None:
    conversation = Conversation()
    conversation.record(conversation.resolve("Who hosted the foreign ministers?"), "", ("a",))
    conversation.record(conversation.resolve("where did he host them?"), "", ("a",))
    resolved = conversation.resolve("and what did he say?")
    assert resolved.search_text == "Who hosted the foreign ministers? and what did he say?"


def test_a_follow_up_about_another_time_asks_the_topic_again_for_that_time() -> None:
    conversation = Conversation()
    conversation.record(
        conversation.resolve("How many died in the Karabakh war of 2020?"), "", ("a",)
    )

    resolved = conversation.resolve("and in the 1990s?")

    assert resolved.is_follow_up and resolved.search_text == "How many died in the 1990s?"
    assert resolved.focus == "and in the 1990s?"  # its own words still weigh most
    conversation.record(resolved, "", ("a",))
    # The conversation is now about the 1990s.
    assert conversation.resolve("and who brokered the truce?").search_text == (
        "How many died in the 1990s? and who brokered the truce?"
    )


@pytest.mark.parametrize(
    ("topic", "follow_up", "asked"),
    [
        ("What was agreed at Sochi?", "and in Washington?", "What was agreed in Washington?"),
        (
            "What was agreed at Sochi?",
            "what about at Blair House?",
            "What was agreed at Blair House?",
        ),
        ("What happened in Sochi in May?", "and in June?", "What happened in Sochi in June?"),
        ("Who won in 2019, and by how much?", "and in 2023?", "Who won in 2023, and by how much?"),
    ],
)
def test_the_last_place_or_time_of_the_topic_is_the_one_swapped(
    topic: str, follow_up: str, asked: str
) -> None:
    assert swap_place_or_time(topic, follow_up) == asked


@pytest.mark.parametrize(
    ("topic", "follow_up"),
    [
        ("Who hosted the foreign ministers?", "and in 2020?"),  # the topic has no place or time
        ("What was agreed at Sochi?", "where did he host them?"),  # not "and in ...?"
        ("What was agreed at Sochi?", "and who mediated?"),
    ],
)
def test_other_follow_ups_are_not_swapped(topic: str, follow_up: str) -> None:
    assert swap_place_or_time(topic, follow_up) is None


def test_conversations_do_not_share_memory() -> None:
    one, two = Conversation(), Conversation()
    one.record(one.resolve("Who hosted the foreign ministers?"), "", ("a",))
    assert not two.resolve("where did he host them?").is_follow_up


def test_memory_is_bounded() -> None:
    conversation = Conversation(max_turns=2)
    for n in range(5):
        conversation.record(conversation.resolve(f"What happened in Sochi in year {n}?"), "", ())
    assert [t.question for t in conversation.turns] == [
        "What happened in Sochi in year 3?",
        "What happened in Sochi in year 4?",
    ]


TODAY = dt.date(2025, 6, 30)


def asked(conversation: Conversation, question: str, person: str | None = None) -> None:
    conversation.record(conversation.resolve(question, TODAY), "an answer", ("a",), person)


def test_a_follow_up_keeps_the_period_of_the_question_it_leans_on() -> None:
    conversation = Conversation()
    asked(conversation, "Who chaired the 2019 water talks?")
    resolved = conversation.resolve("What did they decide?", TODAY)
    assert resolved.time.to_dict() == {"from": "2019-01-01", "to": "2019-12-31", "recency": False}


def test_and_the_year_after_moves_the_period_on() -> None:
    conversation = Conversation()
    asked(conversation, "What was agreed at the 2016 water talks?")
    resolved = conversation.resolve("And the year after?", TODAY)
    assert resolved.time.to_dict() == {"from": "2017-01-01", "to": "2017-12-31", "recency": False}
    assert "2016" not in resolved.search_text  # the old period's words would pull it back


def test_a_follow_up_naming_its_own_period_asks_about_that_one() -> None:
    conversation = Conversation()
    asked(conversation, "What was agreed at the 2016 water talks?")
    resolved = conversation.resolve("and in 2021?", TODAY)
    assert resolved.time.first == dt.date(2021, 1, 1)


def test_who_replaced_him_asks_about_after_the_topics_period() -> None:
    conversation = Conversation()
    asked(conversation, "Who was the foreign minister in 2021?", "Hadi Ferrow")
    resolved = conversation.resolve("Who replaced him?", TODAY)
    assert resolved.time.first == dt.date(2022, 1, 1) and resolved.time.last is None
    assert "Hadi Ferrow" in resolved.search_text  # "him" is whom the answer named


def test_a_pronoun_after_a_who_answer_stands_for_that_person() -> None:
    conversation = Conversation()
    asked(conversation, "Who replaced the foreign minister?", "Nadia Kell")
    resolved = conversation.resolve("What was her job before politics?", TODAY)
    assert "Nadia Kell" in resolved.search_text and "Nadia Kell" in resolved.context
    assert resolved.focus == "What was her job before politics?"


@pytest.mark.parametrize("question", ["Who resigned afterwards?", "What happened meanwhile?"])
def test_words_that_point_back_to_an_event_make_a_follow_up(question: str) -> None:
    assert looks_like_follow_up(question)


def test_a_pronoun_after_a_which_minister_answer_stands_for_that_person() -> None:
    conversation = Conversation()
    asked(conversation, "Which Westmark minister paid for the rescue?", "Casimir Lode")
    resolved = conversation.resolve("How much did he give?", TODAY)
    assert "Casimir Lode" in resolved.search_text


def test_a_pronoun_after_a_which_company_answer_is_not_taken_for_a_person() -> None:
    conversation = Conversation()
    asked(conversation, "Which company built the line?", "Tessaly Infrastructure")
    resolved = conversation.resolve("Who did he blame?", TODAY)
    assert "Tessaly Infrastructure" not in resolved.search_text


def test_afterwards_asks_about_the_time_after_the_event_the_answer_led_with() -> None:
    conversation = Conversation()
    stolen = QuestionTime(first=dt.date(2015, 3, 8), last=dt.date(2015, 3, 8))
    asked = conversation.resolve("When was the altarpiece stolen?", dt.date(2025, 4, 1))
    conversation.record(asked, "It was stolen on Sunday.", ("a",), answered=stolen)

    after = conversation.resolve("Who was arrested afterwards?", dt.date(2025, 4, 1))
    before = conversation.resolve("Who was questioned before that?", dt.date(2025, 4, 1))

    assert (after.time.first, after.time.last) == (dt.date(2015, 3, 8), None)
    assert (before.time.first, before.time.last) == (None, dt.date(2015, 3, 8))


def test_a_pronoun_keeps_standing_for_the_same_person_down_a_chain_of_follow_ups() -> None:
    conversation = Conversation()
    asked(conversation, "Who led the campaign against the new road?", "Mara Quill")
    asked(conversation, "What did she do before she retired?")
    resolved = conversation.resolve("What did she say when the road opened?", TODAY)
    assert "Mara Quill" in resolved.search_text and resolved.person == "Mara Quill"


def test_who_replaced_him_unanswered_does_not_leave_him_as_the_next_pronoun() -> None:
    conversation = Conversation()
    asked(conversation, "Who was the foreign minister in 2021?", "Hadi Ferrow")
    asked(conversation, "Who replaced him?")
    resolved = conversation.resolve("What was her job before politics?", TODAY)
    assert "Hadi Ferrow" not in resolved.search_text


@pytest.mark.parametrize(
    ("follow_up", "own_words"),
    [
        ("And two years later?", "And?"),
        ("And in 2021?", "And?"),
        ("Who was arrested afterwards?", "Who was arrested?"),
        ("What did he say?", "What did he say?"),
    ],
)
def test_a_follow_ups_own_words_leave_out_those_saying_its_period(
    follow_up: str, own_words: str
) -> None:
    conversation = Conversation()
    asked(conversation, "What did inspectors rate the hospital in 2018?")
    assert conversation.resolve(follow_up, TODAY).own_words == own_words


def test_the_topic_asked_of_another_period_does_not_lean_on_the_answer_of_the_first() -> None:
    conversation = Conversation()
    conversation.record(
        conversation.resolve("What did inspectors rate the school in 2018?", TODAY),
        'Inspectors rated the school "poor".',
        ("a",),
    )
    for follow_up in ("And two years later?", "And in 2021?"):
        resolved = conversation.resolve(follow_up, TODAY)
        assert resolved.recalled == "" and "poor" not in resolved.context


def test_a_follow_up_of_the_same_period_leans_on_the_answer_before_it() -> None:
    conversation = Conversation()
    conversation.record(
        conversation.resolve("What did inspectors rate the school in 2018?", TODAY),
        'Inspectors rated the school "poor".',
        ("a",),
    )
    resolved = conversation.resolve("What did they criticise?", TODAY)
    assert "poor" in resolved.recalled and "poor" in resolved.context


def test_a_follow_up_with_a_when_clause_does_not_keep_the_period_before_it() -> None:
    conversation = Conversation()
    asked(conversation, "Who took over as head of the library in March 2022?", "Ines Holm")
    resolved = conversation.resolve("What did she say when the new library opened?", TODAY)
    assert resolved.time.is_empty


def test_a_follow_ups_own_words_name_whom_its_pronoun_stands_for() -> None:
    conversation = Conversation()
    asked(conversation, "Who led the campaign against the new road?", "Mara Quill")
    resolved = conversation.resolve("What did she say about it?", TODAY)
    assert resolved.own_words == "What did Mara Quill say about it?"


def test_a_year_of_accounts_is_the_month_that_ends_it_but_a_date_moved_to_is_no_time() -> None:
    today = dt.date(2026, 10, 5)
    accounts = question_time("How much did the club lose in the year to June 2022?", today)
    assert (accounts.first, accounts.last) == (dt.date(2022, 6, 1), dt.date(2022, 6, 30))
    assert question_time("Why was the opening pushed back to 2024?", today).is_empty


def test_a_pronoun_after_a_question_naming_one_person_stands_for_that_person() -> None:
    conversation = Conversation()
    asked(conversation, "What was Orla Venn's post when the ferry company was sold?")
    resolved = conversation.resolve("What did she say when the ferries stopped?", TODAY)
    assert resolved.person == "Orla Venn" and "Orla Venn" in resolved.search_text


def test_a_question_naming_two_people_gives_a_pronoun_no_one() -> None:
    conversation = Conversation()
    asked(conversation, "Did Orla Venn meet Tomas Brill before the sale?")
    assert conversation.resolve("What did she say afterwards?", TODAY).person == ""


def test_a_follow_up_with_its_own_when_clause_drops_the_topics_clause() -> None:
    conversation = Conversation()
    asked(conversation, "What was Orla Venn's post when the ferry company was sold?")
    resolved = conversation.resolve("What did she say the day the ferries stopped?", TODAY)
    assert "was sold" not in resolved.search_text and "ferries stopped" in resolved.search_text


def test_a_period_after_to_and_its_own_preposition_is_the_questions_period() -> None:
    from index.answer.conversation import question_time

    grown = question_time("What had the fare risen to by early 2021?", TODAY)
    moved = question_time("Why was the opening pushed back to 2024?", TODAY)
    assert grown.last == dt.date(2021, 12, 31) and moved.is_empty


@pytest.mark.parametrize("question", ["How close was that vote?", "Who spoke at those talks?"])
def test_that_pointing_at_a_thing_already_spoken_of_makes_a_follow_up(question: str) -> None:
    assert looks_like_follow_up(question)


def test_that_opening_a_clause_makes_no_follow_up() -> None:
    assert not looks_like_follow_up("Which minister said that the ferry port would close?")


def test_a_who_answer_naming_no_person_gives_a_pronoun_no_one() -> None:
    conversation = Conversation()
    asked(conversation, "Who cheered the new manager?", "the Gulls")
    assert conversation.resolve("What did he say?", TODAY).person == ""


def test_the_year_to_a_month_is_the_period_of_accounts_ending_then() -> None:
    from index.answer.conversation import question_time

    asked = question_time("How much did the ferry line lose in the year to March 2022?", TODAY)
    assert (asked.first, asked.last) == (dt.date(2022, 3, 1), dt.date(2022, 3, 31))


def test_a_follow_up_told_by_another_event_does_not_keep_the_period_before_it() -> None:
    conversation = Conversation()
    asked(conversation, "Who took over as head of the library in March 2022?", "Ines Holm")
    assert conversation.resolve("What did she do after the merger?", TODAY).time.is_empty


def test_who_did_something_to_it_asks_about_the_year_of_the_event_just_answered() -> None:
    conversation = Conversation()
    asked_vote = conversation.resolve("How did the harbour board vote on the new quay?", TODAY)
    voted = QuestionTime(first=dt.date(2019, 4, 2), last=dt.date(2019, 4, 2))
    conversation.record(asked_vote, "It approved it by five votes to two.", ("a",), answered=voted)

    chaired = conversation.resolve("Who chaired it?", TODAY)
    lent = conversation.resolve("How much did it lend?", TODAY)

    assert (chaired.time.first, chaired.time.last) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert lent.time.is_empty  # "it" the one who lent, not a thing done


def test_who_took_over_from_someone_who_held_a_post_until_a_month_asks_from_that_month() -> None:
    conversation = Conversation()
    asked(conversation, "Who chaired the farmers' union until January 2021?", "Tobias Renwick")
    resolved = conversation.resolve("Who took over from him?", TODAY)
    # "Last month Renwick stepped down. His successor is ...": told in January, not after.
    assert (resolved.time.first, resolved.time.last) == (dt.date(2021, 1, 1), None)


def test_who_someone_in_a_post_since_a_month_replaced_asks_until_that_month_ends() -> None:
    conversation = Conversation()
    asked(conversation, "Who has chaired the farmers' union since March 2019?", "Sabine Callow")
    resolved = conversation.resolve("Who did she replace?", TODAY)
    assert (resolved.time.first, resolved.time.last) == (None, dt.date(2019, 3, 31))


def test_he_is_the_one_person_the_lead_line_names_when_the_short_answer_names_a_group() -> None:
    conversation = Conversation()
    first = conversation.resolve("Who chaired the farmers' union in 2019?", TODAY)
    lead = "Tobias Renwick, chairman of the Skelmarch Hill Farmers' Union, said they would appeal."
    conversation.record(first, lead, ("a",), "Skelmarch Hill Farmers' Union", lead=lead)
    resolved = conversation.resolve("Who took over from him?", TODAY)
    assert resolved.person == "Tobias Renwick"


def test_a_lead_line_naming_two_new_people_gives_the_pronoun_no_one() -> None:
    conversation = Conversation()
    first = conversation.resolve("Who chaired the farmers' union in 2019?", TODAY)
    lead = "Tobias Renwick and Sabine Callow spoke for the farmers."
    conversation.record(first, lead, ("a",), None, lead=lead)
    assert conversation.resolve("Who took over from him?", TODAY).person == ""


@pytest.mark.parametrize(
    "question", ["Who was the judge?", "Who wrote the judgment?", "Who scored the equaliser?"]
)
def test_one_thing_of_the_event_just_told_asks_about_that_events_year(question: str) -> None:
    conversation = Conversation()
    asked_case = conversation.resolve("Which court heard the farmers' first challenge?", TODAY)
    heard = QuestionTime(first=dt.date(2017, 11, 7), last=dt.date(2017, 11, 7))
    conversation.record(asked_case, "The court dismissed the challenge.", ("a",), answered=heard)

    resolved = conversation.resolve(question, TODAY)

    assert resolved.is_follow_up
    assert (resolved.time.first, resolved.time.last) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))


def test_a_question_naming_more_than_one_thing_of_its_own_keeps_no_event_year() -> None:
    conversation = Conversation()
    asked_case = conversation.resolve("Which court heard the farmers' first challenge?", TODAY)
    heard = QuestionTime(first=dt.date(2017, 11, 7), last=dt.date(2017, 11, 7))
    conversation.record(asked_case, "The court dismissed the challenge.", ("a",), answered=heard)
    assert conversation.resolve("How much were the farmers told to pay?", TODAY).time.is_empty
    # A figure of it may be settled long after: "the fine" is not told with the crash.
    assert conversation.resolve("How much was the fine?", TODAY).time.is_empty


def test_a_name_further_on_in_the_lead_line_gives_the_pronoun_no_one() -> None:
    conversation = Conversation()
    first = conversation.resolve("Who found the stolen altarpiece?", TODAY)
    lead = "The altarpiece, Hanne Voss's triptych, was stolen on Sunday night."
    conversation.record(first, lead, ("a",), None, lead=lead)
    assert conversation.resolve("Where did she find it?", TODAY).person == ""


def _answered_on(conversation: Conversation, question: str, day: dt.date) -> None:
    told = QuestionTime(first=day, last=day)
    conversation.record(conversation.resolve(question, TODAY), "an answer", ("a",), answered=told)


def test_years_later_moves_from_the_event_just_told_when_the_topic_named_no_period() -> None:
    conversation = Conversation()
    _answered_on(conversation, "When did the council refuse the quarry?", dt.date(2014, 5, 6))
    resolved = conversation.resolve("And the vote on the extension nine years later?", TODAY)
    assert (resolved.time.first, resolved.time.last) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert resolved.recalled == ""  # the answer of 2014 does not answer for 2023


@pytest.mark.parametrize(
    "follow_up",
    [
        "What did she do for a living at the time?",
        "How old was he then?",
        "Where did he live back then?",
    ],
)
def test_at_the_time_asks_about_the_year_of_the_event_just_told(follow_up: str) -> None:
    conversation = Conversation()
    _answered_on(conversation, "Who founded the residents' group?", dt.date(2015, 5, 19))
    resolved = conversation.resolve(follow_up, TODAY)
    assert (resolved.time.first, resolved.time.last) == (dt.date(2015, 1, 1), dt.date(2015, 12, 31))


@pytest.mark.parametrize("follow_up", ["What has she done since then?", "And then?"])
def test_since_then_or_and_then_is_not_the_time_of_the_event_just_told(follow_up: str) -> None:
    conversation = Conversation()
    _answered_on(conversation, "Who founded the residents' group?", dt.date(2015, 5, 19))
    resolved = conversation.resolve(follow_up, TODAY)
    assert resolved.time.last != dt.date(2015, 12, 31)


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        (
            "Who replaced Ana Roe at the head of the port authority?",
            "The authority's chief executive Ivo Penn, who took over from Ana Roe last summer, "
            "said the quay would open in May.",
        ),
        (
            "Which farmer refused to sell his land?",
            "Six owners have not yet sold, among them farmer Walter Hale, 81, who still farms.",
        ),
    ],
)
def test_he_is_the_person_the_lead_line_introduces_by_their_role(question: str, lead: str) -> None:
    conversation = Conversation()
    conversation.record(conversation.resolve(question, TODAY), lead, ("a",), None, lead=lead)
    assert conversation.resolve("How old was he then?", TODAY).person in lead
    assert conversation.resolve("How old was he then?", TODAY).person not in ("", "Ana Roe")


def test_he_is_the_one_a_sentence_of_the_lead_line_opens_with() -> None:
    conversation = Conversation()
    first = conversation.resolve("Who was appointed manager in October 2019?", TODAY)
    lead = (
        "Barely a day after Luca Benedetti was shown the door, the club has a new manager. "
        "Shaun Maddox, 44, was unveiled yesterday."
    )
    conversation.record(first, lead, ("a",), None, lead=lead)
    assert conversation.resolve("Which club had he come from?", TODAY).person == "Shaun Maddox"


def _took_over_in_2017(conversation: Conversation) -> None:
    first = conversation.resolve("Who took over the fishermen's association in 2017?", TODAY)
    lead = (
        "The association is represented at the inquiry by its new chair, Morag Ellery. "
        "She was elected in April, succeeding Tom Brackley."
    )
    conversation.record(first, lead, ("a",), None, lead=lead)


def test_a_name_set_beside_a_role_after_a_comma_is_whom_she_stands_for() -> None:
    conversation = Conversation()
    _took_over_in_2017(conversation)
    assert conversation.resolve("Who did she replace?", TODAY).person == "Morag Ellery"


def test_whom_one_who_took_over_replaced_is_asked_of_the_time_of_the_takeover() -> None:
    conversation = Conversation()
    _took_over_in_2017(conversation)
    resolved = conversation.resolve("Who did she replace?", TODAY)
    assert (resolved.time.first, resolved.time.last) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))


def test_she_is_still_she_after_asking_whom_she_replaced() -> None:
    conversation = Conversation()
    _took_over_in_2017(conversation)
    replaced = conversation.resolve("Who did she replace?", TODAY)
    conversation.record(replaced, "Tom Brackley stood down.", ("a",), "Tom Brackley")
    assert conversation.resolve("What does she do now?", TODAY).person == "Morag Ellery"


def test_later_on_asks_about_after_the_day_the_answer_before_told() -> None:
    conversation = Conversation()
    _answered_on(conversation, "How big was the fund accepted in 2021?", dt.date(2021, 3, 18))
    resolved = conversation.resolve("What was it raised to later on?", TODAY)
    assert (resolved.time.first, resolved.time.last) == (dt.date(2021, 3, 19), None)
    assert resolved.moves_on


def test_that_noun_is_searched_with_the_follow_up_that_brought_it_in() -> None:
    conversation = Conversation()
    asked(conversation, "What did the first wind farm cost in the end?", "£1.74 billion")
    asked(conversation, "And what was the extension priced at?", "£2.1 billion")
    resolved = conversation.resolve("Who is in charge of that project?", TODAY)
    assert "extension" in resolved.search_text


@pytest.mark.parametrize("why", ["Why?", "And why was that?"])
def test_a_bare_why_asks_the_cause_of_what_the_answer_before_led_with(why: str) -> None:
    conversation = Conversation()
    asked(conversation, "How big was the fund the fishermen accepted in 2021?")
    raised = conversation.resolve("What was it raised to later on?", TODAY)
    lead = "Kestrel agreed to raise the fund to £9 million after Storm Orla."
    conversation.record(raised, lead, ("a",), lead=lead)
    resolved = conversation.resolve(why, TODAY)
    assert lead in resolved.search_text and "accepted" not in resolved.search_text
