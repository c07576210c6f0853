"""Thesis ranking and motion wording: pure functions, small texts written for each rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import DomainError
from bot.domain.thesis import (
    MOTION_MAX_CHARS,
    Article,
    NoSentences,
    NotEnglish,
    _is_argued,
    _motion_focus,
    _paragraph_sentences,
    key_sentences,
    make_motion,
    propose_motions,
    split_sentences,
)


def article(text: str, title: str = "", subtitle: str = "") -> Article:
    return Article(title=title, subtitle=subtitle, author="", site="", date="", text=text)


# --- Splitting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith paid $3.50 for it. Dr. Jones did not.",
            ["Mr. Smith paid $3.50 for it.", "Dr. Jones did not."],
        ),
        (
            "Inflation reached 2.5% in 2020. It fell in 2021.",
            ["Inflation reached 2.5% in 2020.", "It fell in 2021."],
        ),
        (
            "Prices rose, e.g. for bread and milk. Then they fell.",
            ["Prices rose, e.g. for bread and milk.", "Then they fell."],
        ),
        (
            "J. K. Rowling wrote it. The U.S. economy grew. The U.S. Senate voted.",
            ["J. K. Rowling wrote it.", "The U.S. economy grew.", "The U.S. Senate voted."],
        ),
        (
            '"Is this right?" she asked. "No," he said. He left!',
            ['"Is this right?" she asked.', '"No," he said.', "He left!"],
        ),
        (
            'He said "Stop." Then he went home.',
            ['He said "Stop."', "Then he went home."],
        ),
        (
            "Taxes fell in 2009.[1] Growth followed (see below.) Wait... What now?",
            ["Taxes fell in 2009.[1]", "Growth followed (see below.)", "Wait...", "What now?"],
        ),
        ("Plan B. It failed.", ["Plan B.", "It failed."]),
    ],
)
def test_split_sentences_handles_abbreviations_decimals_quotes_and_marks(
    text: str, expected: list[str]
) -> None:
    assert split_sentences(text) == expected


def test_paragraphs_and_list_items_always_end_a_sentence_and_wrapped_lines_join() -> None:
    text = (
        "The first paragraph has no full stop\n\n"
        "A wrapped line that goes on\nand on until it ends.\n"
        "- an item\n- another item"
    )
    assert split_sentences(text) == [
        "The first paragraph has no full stop",
        "A wrapped line that goes on and on until it ends.",
        "- an item",
        "- another item",
    ]


def test_split_sentences_of_nothing_is_empty() -> None:
    assert split_sentences("  \n\n ") == []


# --- Wording a motion ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "motion"),
    [
        (
            "However, zoos do more harm than good.",
            "This House believes that zoos do more harm than good",
        ),
        (
            "In conclusion, the benefits of tourism outweigh its costs.",
            "This House believes that the benefits of tourism outweigh its costs",
        ),
        (
            "I firmly believe that we should attach more importance to cooperation.",
            "This House would attach more importance to cooperation",
        ),
        (
            "Although it is popular, most homework wastes children's evenings.",
            "This House believes that most homework wastes children's evenings",
        ),
        (
            "Most homework wastes children's evenings, although teachers disagree.",
            "This House believes that most homework wastes children's evenings",
        ),
        (
            "Zoos should be banned because they cause animals to suffer.",
            "This House would ban zoos",
        ),
        (
            "Poetry should not be taught in schools.",
            "This House would not teach poetry in schools",
        ),
        (
            "The government should ban smoking in public places.",
            "This House would ban smoking in public places",
        ),
        ("Should we strive for immortality?", "This House would strive for immortality"),
        (
            "Parents should limit screen time.",
            "This House believes that parents should limit screen time",
        ),
        (
            "It is clear that students should be required to wear uniforms.",
            "This House would require students to wear uniforms",
        ),
        (
            "I disagree that money brings happiness.",
            "This House rejects the claim that money brings happiness",
        ),
        (
            "Yet a settlement to the war remains elusive.",
            "This House believes that a settlement to the war remains elusive",
        ),
        (
            "Russia remains a strategic adversary of the US.",
            "This House believes that Russia remains a strategic adversary of the US",
        ),
    ],
)
def test_make_motion_strips_framing_and_words_the_claim(sentence: str, motion: str) -> None:
    assert make_motion(sentence) == motion


def test_make_motion_keeps_names_capitalised_and_lowers_common_words_from_context() -> None:
    common = {"supporters", "wall"}
    assert make_motion("Supporters argue for the wall.", common_words=common).startswith(
        "This House believes that supporters"
    )
    assert make_motion("Tanzania taxes phones.", common_words=common).startswith(
        "This House believes that Tanzania"
    )


def test_make_motion_drops_asides_and_citations() -> None:
    motion = make_motion("Profiling (as Israel shows) works at airports [3], such as Heathrow.")
    assert motion == "This House believes that profiling works at airports"


def test_a_long_sentence_is_shortened_at_a_clause_to_fit_the_limit() -> None:
    clauses = ", ".join(f"clause number {n} adds yet another qualification" for n in range(12))
    motion = make_motion(f"Cities should close their centres to cars, {clauses}.")
    assert len(motion) <= MOTION_MAX_CHARS
    assert motion.startswith("This House believes that cities should close their centres to cars")
    assert not motion.endswith((",", ";"))


def test_an_unbroken_long_sentence_is_cut_at_a_word() -> None:
    motion = make_motion("Cars " + " ".join(["pollute"] * 120) + ".")
    assert len(motion) <= MOTION_MAX_CHARS
    assert motion.endswith("pollute…")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=600))
def test_any_sentence_becomes_a_house_motion_within_the_limit(sentence: str) -> None:
    motion = make_motion(sentence)
    assert motion.startswith("This House ")
    assert len(motion) <= MOTION_MAX_CHARS


# --- Ranking ----------------------------------------------------------------------------------

ESSAY = """\
Many cities are crowded with cars. Traffic jams waste hours every day. \
I strongly believe that city centres should be closed to private cars.

First of all, cars pollute the air that children breathe. Asthma rates are highest near busy \
roads. Cleaner air would save lives.

Some people say that shops will lose customers. For example, a bakery owner told me his \
customers drive. Yet studies show that pedestrians spend more money in shops.

In conclusion, closing city centres to private cars would make cities healthier and richer. \
It is time to act."""


def test_the_thesis_of_an_essay_is_found_and_worded() -> None:
    candidates = propose_motions(article(ESSAY, title="Should cities ban cars?"))
    sentences = [c.sentence for c in candidates[:2]]
    assert "I strongly believe that city centres should be closed to private cars." in sentences
    assert candidates[0].motion.startswith("This House")
    assert any(
        c.motion == "This House would close city centres to private cars" for c in candidates
    )


def test_questions_examples_and_quotes_of_others_are_not_offered_first() -> None:
    text = (
        "Should schools start later? Sleep matters for teenagers.\n\n"
        '"Teenagers need more sleep," said one doctor. For example, a study found lower grades.\n\n'
        "Schools should start later because teenagers learn better after a full night's sleep."
    )
    first = propose_motions(article(text, title="School start times"))[0]
    assert first.sentence.startswith("Schools should start later")


def test_a_subtitle_that_is_a_claim_comes_first() -> None:
    subtitle = "Though the talks were friendly, the two states remain rivals, so peace is far off"
    candidates = propose_motions(article(ESSAY, title="A title", subtitle=subtitle))
    assert candidates[0].sentence == subtitle
    assert candidates[0].motion == (
        "This House believes that the two states remain rivals, so peace is far off"
    )


def test_a_subtitle_that_is_a_question_is_not_offered() -> None:
    subtitle = "Why do cities still let cars into their centres?"
    candidates = propose_motions(article(ESSAY, title="A title", subtitle=subtitle))
    assert all(c.sentence != subtitle for c in candidates)


def test_candidates_are_distinct_best_first_and_limited_to_k() -> None:
    for k in (1, 2, 3, 5):
        candidates = propose_motions(article(ESSAY), k)
        assert len(candidates) == k
        assert len({c.motion for c in candidates}) == k
        assert len({c.sentence for c in candidates}) == k
        assert all(len(c.motion) <= MOTION_MAX_CHARS for c in candidates)
    assert propose_motions(article(ESSAY), 0) == []
    scores = [c.score for c in propose_motions(article(ESSAY), 2)]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= c.score <= 1.0 for c in propose_motions(article(ESSAY)))


def test_a_restated_thesis_does_not_crowd_out_a_different_candidate() -> None:
    thesis = "Governments should tax sugary drinks to protect public health."
    text = (
        f"{thesis} {thesis.replace('Governments', 'States')}\n\n"
        "Sugar taxes in Mexico cut purchases of sugary drinks by a tenth.\n\n"
        "Industry lobbying against sugar taxes is intense and well funded."
    )
    candidates = propose_motions(article(text, title="Tax sugary drinks"), 2)
    motions = [c.motion for c in candidates]
    assert "This House would tax sugary drinks to protect public health" in motions
    assert sum("sugary drinks to protect public health" in m for m in motions) == 1


def test_key_sentences_are_central_and_in_text_order() -> None:
    sentences = key_sentences(article(ESSAY), 3)
    assert len(sentences) == 3
    order = [ESSAY.index(s) for s in sentences]
    assert order == sorted(order)


def test_text_without_sentences_is_refused_with_an_explanation() -> None:
    with pytest.raises(NoSentences) as caught:
        propose_motions(article("Home\n\nNews\n\n[1] http://example.com/x"))
    assert isinstance(caught.value, DomainError)
    assert "no sentences" in caught.value.explain()


def test_text_that_is_not_english_is_refused_with_an_explanation() -> None:
    french = (
        "Les villes devraient fermer leurs centres aux voitures. La pollution de l'air tue "
        "chaque année des milliers de personnes dans les grandes villes. Les commerçants "
        "craignent de perdre leurs clients, mais les études montrent le contraire. Il est temps "
        "que les maires prennent leurs responsabilités et agissent pour la santé de tous."
    )
    with pytest.raises(NotEnglish) as caught:
        propose_motions(article(french, title="Fermer les centres-villes"))
    assert "English" in caught.value.explain()


def test_ranking_is_deterministic() -> None:
    assert propose_motions(article(ESSAY)) == propose_motions(article(ESSAY))


def test_fragments_questions_headings_and_talk_about_the_text_are_offered_last() -> None:
    text = (
        "I have written about sugar taxes before.\n\n"
        "Sugar taxes and public health\n\n"
        "Not only because sugar taxes raise money for public health. "
        "But more fundamentally because sugar taxes change what people buy.\n\n"
        "Is a sugar tax fair to poor families who buy more sugary drinks?\n\n"
        "Sugar taxes cut the consumption of sugary drinks among children.\n\n"
        "Governments should tax sugary drinks to protect public health."
    )
    candidates = propose_motions(article(text, title="Sugar taxes"))
    well_formed = {
        "Sugar taxes cut the consumption of sugary drinks among children.",
        "Governments should tax sugary drinks to protect public health.",
    }
    assert {c.sentence for c in candidates[:2]} == well_formed
    assert "This House would tax sugary drinks to protect public health" in [
        c.motion for c in candidates
    ]


def _argued(text: str) -> bool:
    sentences = _paragraph_sentences(text)
    return _is_argued(sentences, [True] * len(sentences))


def test_a_stance_stated_where_an_essay_puts_its_thesis_makes_the_text_argued() -> None:
    assert _argued(ESSAY)
    body = "A stance cue in the body alone does not make a debate guide an essay. " * 3
    guide = (
        "Sugar taxes are levied on drinks with added sugar. Mexico introduced one in 2014.\n\n"
        f"{body}Here we might consider who pays the tax. Poorer families buy more soda.\n\n"
        "The tax raised prices by about a tenth. Purchases fell in the first two years."
    )
    assert not _argued(guide)
    assert _argued(guide.replace("Mexico introduced one in 2014.", "I believe they work."))


def test_a_motion_is_scored_by_the_topic_it_names_and_its_length() -> None:
    keywords = {"wind": 0.5, "power": 0.3, "cost": 0.2}
    named, length = _motion_focus("This House believes that wind power is cheap", keywords)
    assert named == pytest.approx(0.8)
    assert length == pytest.approx(0.4)
    rambling = "This House would " + "study the weather in many places and " * 10 + "stop"
    assert _motion_focus(rambling, keywords) == (0.0, 4.0)


def test_a_concise_motion_on_the_topic_is_offered_before_a_rambling_one() -> None:
    # The two claims share every content word, so only the motion's length tells them apart.
    concise = "Wind power is cheap for farms and for towns."
    rambling = (
        "Wind power is cheap for farms and for towns, and it is so for all of us, as it has "
        "been before and will be again once more."
    )
    text = (
        "Farms in the hills have turned to new kinds of energy.\n\n"
        f"{rambling}\n\n{concise}\n\nTowns buy energy from farms in the hills."
    )
    candidates = propose_motions(article(text))
    assert [c.sentence for c in candidates[:2]] == [concise, rambling]
    assert candidates[1].score < candidates[0].score


def test_a_citation_is_not_offered_first() -> None:
    text = (
        "[i] Wind Energy Association, Wind Power Report 2010, p.5\n\n"
        "Wind power is growing around the world. Wind farms now supply much of the power.\n\n"
        "Governments should invest in wind power. Read similar reports on wind power."
    )
    sentences = [c.sentence for c in propose_motions(article(text))]
    assert sentences[0] == "Governments should invest in wind power."
    assert sentences.index("[i] Wind Energy Association, Wind Power Report 2010, p.5") >= 3
