from __future__ import annotations

import datetime as dt

from index.generation.citation_check import check_answer, dates_hold, renumber, supports
from index.text.citations import split_cited

SOCHI = (
    "The two countries' leaders met late last month in the Russian Black Sea port of Sochi, "
    "along with Russian President Vladimir Putin, and agreed not to use force and to stick to "
    "earlier agreements that sought to end the fighting."
)
BLAIR_HOUSE = (
    "Blinken met with Armenian Foreign Minister Ararat Mirzoyan and Azerbaijani Foreign "
    "Minister Jeyhun Bayramov at Blair House, a state guest house in Washington."
)
WAR = "Six weeks of fighting in 2020 claimed more than 6,500 lives before a truce."
PASSAGES = [SOCHI, BLAIR_HOUSE, WAR]


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    assert split_cited("They met at Sochi. [1] Blinken hosted them [2][3]. Then? [1, 3]") == [
        ("They met at Sochi.", [1]),
        ("Blinken hosted them.", [2, 3]),
        ("Then?", [1, 3]),
    ]


def test_abbreviations_do_not_split_a_sentence_from_its_citation() -> None:
    assert split_cited("The U.S. Secretary of State hosted them at Blair House [2].") == [
        ("The U.S. Secretary of State hosted them at Blair House.", [2])
    ]


def test_a_supported_sentence_keeps_its_citation() -> None:
    checked = check_answer("The leaders agreed at Sochi not to use force [1].", PASSAGES)
    assert [(s.text, s.sources) for s in checked.sentences] == [
        ("The leaders agreed at Sochi not to use force.", (0,))
    ]
    assert checked.dropped == 0


def test_a_number_matching_no_passage_is_removed_and_its_sentence_dropped() -> None:
    checked = check_answer("The leaders agreed not to use force [7].", PASSAGES)
    assert checked.sentences == () and checked.dropped == 1


def test_an_invalid_number_is_removed_but_a_valid_one_beside_it_keeps_the_sentence() -> None:
    checked = check_answer("The leaders agreed not to use force [7][1].", PASSAGES)
    assert [s.sources for s in checked.sentences] == [(0,)]


def test_a_sentence_without_a_citation_is_dropped() -> None:
    text = "The leaders agreed not to use force. Blinken met them at Blair House [2]."
    checked = check_answer(text, PASSAGES)
    assert [s.text for s in checked.sentences] == ["Blinken met them at Blair House."]
    assert checked.dropped == 1


def test_a_citation_of_the_wrong_passage_does_not_support_the_sentence() -> None:
    checked = check_answer("The leaders agreed not to use force [3].", PASSAGES)
    assert checked.sentences == ()


def test_a_claim_the_cited_passage_does_not_make_is_dropped() -> None:
    text = "Putin won the Nobel Peace Prize for the Sochi talks [1]."
    assert check_answer(text, PASSAGES).sentences == ()


def test_a_wrong_number_or_name_is_unsupported_even_when_most_words_match() -> None:
    assert supports("Fighting in 2020 claimed more than 6,500 lives.", [WAR])
    assert not supports("Fighting in 2021 claimed more than 6,500 lives.", [WAR])
    assert not supports("Blinken met Bayramov at Blair House in Paris.", [BLAIR_HOUSE])


def test_a_sentence_with_no_content_words_is_not_a_claim() -> None:
    assert not supports("Yes, it was.", PASSAGES)


def test_a_cited_passage_sharing_no_word_with_the_sentence_is_not_kept_as_a_source() -> None:
    checked = check_answer("Blinken hosted them at Blair House [3][2].", PASSAGES)
    assert [s.sources for s in checked.sentences] == [(1,)]


def test_renumbering_follows_first_use_and_lists_exactly_the_passages_used() -> None:
    text = "Six weeks of fighting in 2020 claimed 6,500 lives [3]. They met at Sochi [1][3]."
    text, order = renumber(check_answer(text, PASSAGES))
    assert text == ("Six weeks of fighting in 2020 claimed 6,500 lives. [1] They met at Sochi. [2]")
    assert order == [2, 0]


def test_while_streaming_the_last_sentence_waits_for_its_markers() -> None:
    partial = "They agreed at Sochi not to use force. [1] Blinken hosted them at Blair House."
    assert [s.text for s in check_answer(partial, PASSAGES, complete=False).sentences] == [
        "They agreed at Sochi not to use force."
    ]
    assert len(check_answer(partial + " [2]", PASSAGES).sentences) == 2


def test_a_sentence_that_drops_the_passages_negation_is_unsupported() -> None:
    assert not supports("The leaders agreed at Sochi to use force.", [SOCHI])
    assert supports("The leaders agreed at Sochi not to use force.", [SOCHI])


def test_a_sentence_that_adds_a_negation_is_unsupported() -> None:
    assert not supports("Fighting in 2020 claimed no lives.", [WAR])
    assert not supports("Blinken didn't meet Mirzoyan and Bayramov at Blair House.", [BLAIR_HOUSE])
    assert supports("Blinken met Mirzoyan and Bayramov at Blair House.", [BLAIR_HOUSE])


def test_a_negation_counts_only_for_the_words_it_governs() -> None:
    passage = "The talks did not end the war. Both leaders signed a ceasefire in Sochi."
    # The passage's "not" is about ending the war, not about the ceasefire.
    assert supports("Both leaders signed a ceasefire in Sochi.", [passage])
    assert not supports("Both leaders never signed a ceasefire in Sochi.", [passage])


MARCH_2023 = [(dt.date(2023, 3, 14), dt.date(2023, 3, 14))]


def test_a_date_in_a_generated_sentence_must_be_one_its_passage_reports() -> None:
    assert dates_hold("On 14 March 2023 the ministers agreed to share water.", MARCH_2023)
    assert dates_hold("In 2023 the ministers agreed to share water.", MARCH_2023)  # coarser
    assert not dates_hold("In 2021 the ministers agreed to share water.", MARCH_2023)
    assert dates_hold("The ministers agreed to share water.", MARCH_2023)  # says no date


def test_a_sentence_with_the_wrong_year_is_dropped_although_its_words_are_all_there() -> None:
    passage = "On 14 March 2023 the ministers agreed to share the water in dry years."
    checked = check_answer(
        "In 2021 the ministers agreed to share the water in dry years. [1]",
        [passage],
        periods=[MARCH_2023],
    )
    assert checked.sentences == () and checked.dropped == 1
    kept = check_answer(
        "The ministers agreed on 14 March 2023 to share the water in dry years. [1]",
        [passage],
        periods=[MARCH_2023],
    )
    assert len(kept.sentences) == 1
