"""How much the words of a question count when a sentence is chosen (question_weights.py)."""

from __future__ import annotations

import datetime as dt

from index.answer.conversation import Conversation, ResolvedQuestion
from index.answer.question_weights import holds, holds_asked, term_weights
from index.text.terms import content_terms

TODAY = dt.date(2025, 6, 30)


def _held(sentence: str, word: str) -> bool:
    (term,) = content_terms(word)
    return holds(set(content_terms(sentence)), term)


def test_an_irregular_past_is_held_by_its_present() -> None:
    assert _held("Orla Brennick will lead the union.", "led")
    assert _held("Police led the search.", "lead")


def test_who_ran_something_is_held_by_the_title_of_its_head() -> None:
    assert _held("Chief executive Magnus Tolley said so.", "ran")
    assert _held("Its general secretary, Orla Brennick, spoke.", "led")


def test_a_title_is_not_held_by_another_title() -> None:
    assert not _held("Chief executive Magnus Tolley said so.", "director")


def test_an_unrelated_word_is_not_held() -> None:
    assert not _held("The union voted on Tuesday.", "ran")


def test_recency_adverbs_do_not_count_in_dated_articles() -> None:
    question = "Who currently leads the union now?"
    resolved = ResolvedQuestion(question, question, question, "", is_follow_up=False)
    assert set(term_weights(resolved, dated=True)) == {"lead", "union"}


def test_how_much_and_how_many_are_not_words_to_match() -> None:
    question = "How much did the repair cost, and how many helped?"
    resolved = ResolvedQuestion(question, question, question, "", is_follow_up=False)
    assert set(term_weights(resolved)) == {"repair", "cost", "help"}


def test_the_words_moving_a_follow_ups_period_do_not_count_in_dated_articles() -> None:
    conversation = Conversation()
    topic = conversation.resolve("What did inspectors rate the school in 2018?", TODAY)
    conversation.record(topic, 'Inspectors rated the school "poor".', ("a",))
    resolved = conversation.resolve("And two years later?", TODAY)
    assert set(term_weights(resolved, dated=True)) == {"inspector", "rate", "school"}


def test_what_someone_said_is_held_by_what_they_called_it() -> None:
    assert _held('The mayor called the vote "a disgrace".', "say")
    assert _held("The mayor said the vote was a disgrace.", "say")


def test_what_was_settled_is_asked_in_any_of_its_words() -> None:
    (agree,) = content_terms("agree")
    (decide,) = content_terms("decide")
    assert holds_asked(set(content_terms("Both sides accepted a rise.")), agree)
    assert holds_asked(set(content_terms("They agreed to share the water.")), decide)
    assert not holds(set(content_terms("Both sides accepted a rise.")), agree)


def test_who_quit_is_held_by_who_resigned_or_retired() -> None:
    assert _held("The harbour master resigned on Friday.", "quit")
    assert _held("She will retire in June.", "quit")


def test_a_price_is_held_by_a_question_about_cost() -> None:
    assert _held("The price of the bridge has risen to 40 million.", "cost")


def test_who_stood_in_is_asked_as_who_held_the_post_meanwhile() -> None:
    question = "Who stood in as head of the port after the director quit?"
    resolved = ResolvedQuestion(question, question, question, "", is_follow_up=False)
    terms = set(content_terms("Her deputy will run the port until a successor is found."))
    assert "interim" in term_weights(resolved)
    assert holds(terms, "interim")


def test_who_leads_is_held_by_the_sentence_naming_the_successor() -> None:
    assert _held("Members elected Ivo Penn to succeed her.", "lead")


def test_who_came_up_with_a_plan_is_asked_as_who_drew_it_up() -> None:
    question = "Who came up with the ferry plan?"
    resolved = ResolvedQuestion(question, question, question, "", is_follow_up=False)
    weights = term_weights(resolved)
    assert "came" not in weights
    assert holds(set(content_terms("The plan was drawn up by the harbour master.")), "devis")
