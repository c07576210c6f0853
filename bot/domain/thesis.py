"""Candidate motions from an article: find the sentences that state its thesis, word them.

Theory of operation
-------------------
``split_sentences`` cuts paragraphs into sentences by rule (abbreviations, initials,
decimals, quotes and footnote marks do not end a sentence). The ranker gives every
sentence one score, a weighted sum of

* centrality: LexRank over TF-IDF vectors built from the article itself;
* similarity to the title and subtitle;
* claim cues ("I believe", "In conclusion", "should", "therefore", evaluative words);
* position (the end of the introduction and the start of the conclusion, where essays state
  their thesis; the first sentence of a paragraph, where writers put its point);
* topic: how many of the article's most widespread content words the sentence names;
* for expository text, the motion the sentence would make: how much of the topic it names,
  less its length (a motion that names the subject in few words says what is at issue);

less penalties for what a thesis rarely is: someone else's quotation or view, narration, an
example, a sentence leaning on the one before, a very short or very long sentence.

Genres differ. A text whose author signals a stance ("I believe", "In conclusion"; 3 % of
its sentences or more, one of them in the opening or closing paragraph, where an essay states
its thesis) is *argued*: cues and the essay's shape count most, and LexRank's random walk
restarts mostly in the introduction and near the title (biased LexRank). Any other text is
*expository* (news, reports, debate guides, whose "we might consider" or "it is clear that"
sits in the body): centrality and topic lead.

Selection: the subtitle first when it makes a claim (editors write it to state the thesis),
then the two best-scored sentences, then the lead slot (the best sentence of the opening
paragraph: the lead of a news story, the thesis statement that closes an essay's
introduction), then the rest. Picks use maximal marginal relevance, so a restatement of a
chosen thesis does not crowd out a different one, and sentences that make poor motions
whatever their score (fragments, questions other than "should" questions, headings, talk
about the text itself, citations) come after all the others.

``make_motion`` words a sentence as a motion by rule: strip discourse markers, concessive
clauses, first-person framing, asides and trailing reasons, then write "This House would
..." for what we (or a government) should do, and "This House believes that ..." for
anything else; a clause that is too long loses its trailing asides, and the motion is
never longer than ``MOTION_MAX_CHARS``.

Everything here is pure and deterministic. Only English is ranked (the cues and the wording
are English): other text raises ``NotEnglish``. Only the first ``MAX_RANKED_CHARS`` of an
article's text are ranked, which bounds the time a huge input takes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.domain.errors import DomainError

MOTION_MAX_CHARS = 300
"""The bot's motion limit (the same as ``bot.domain.debate.MOTION_MAX_CHARS``)."""

CONCISE_CHARS = 180
"""A clause longer than this loses its trailing asides (", which ...", "; ...") if it can."""

MAX_RANKED_CHARS = 60_000
"""Only this much of an article's text (about 10,000 words) is ranked: theses come early."""

MAX_CANDIDATES = 10
"""The most candidates ``propose_motions`` returns, whatever ``k`` asks for."""


# ---------------------------------------------------------------------------------------------
# Public values and errors


@dataclass(frozen=True)
class Article:
    """An article's own text and what is known about it; paragraphs are separated by blank lines."""

    title: str
    subtitle: str
    author: str
    site: str
    date: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Candidate:
    """A proposed motion, the sentence it was written from, and the ranker's score for it."""

    motion: str
    sentence: str
    score: float


class ThesisError(DomainError):
    """The text cannot yield a motion."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return "I could not find a thesis in that text; try another article."


class NoSentences(ThesisError):
    """The text has no sentence to rank."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            "I found no sentences in that text: give me an article with at least a few "
            "full sentences (not only headings, links or a list)."
        )


class NotEnglish(ThesisError):
    """The text does not read as English, and the ranker and motion wording are English-only."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            "That text does not look like English, and I can only propose motions from "
            "English articles: give me an English version, or write the motion yourself."
        )


# ---------------------------------------------------------------------------------------------
# Words


def _wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of a text block, as a set."""
    return frozenset(text.split())


STOPWORDS = _wordset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each even ever every few for from further had hadn't has
    hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
    how how's however i i'd i'll i'm i've if in into is isn't it it's its itself just let's
    like many may me might more most much must mustn't my myself no nor not now of off on once
    one only or other ought our ours ourselves out over own per quite rather same shan't she
    she'd she'll she's should shouldn't so some such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've this those though
    through thus to too under until up upon us very was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's whether which while who who's whom whose why
    why's will with within without won't would wouldn't yet you you'd you'll you're you've your
    yours yourself yourselves also whereas
    """
)
"""Function words: left out of TF-IDF vectors, and counted to tell English from other text."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")
_APOSTROPHES = str.maketrans({"’": "'", "\u2018": "'"})


def _stem(word: str) -> str:
    """A light suffix stripper, enough to let "taxes", "taxed" and "tax" meet."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes normalised."""
    return [w.lower() for w in _WORD.findall(text.translate(_APOSTROPHES))]


def _terms(text: str) -> list[str]:
    """Stemmed content words: what TF-IDF vectors are made of."""
    return [_stem(w) for w in _words(text) if w not in STOPWORDS and not w[0].isdigit()]


def looks_english(text: str) -> bool:
    """True when the text reads as English: enough of its words are English function words."""
    words = _words(text[:20_000])
    if len(words) < 25:
        return True
    share = sum(1 for w in words if w in STOPWORDS) / len(words)
    return share >= 0.2


# ---------------------------------------------------------------------------------------------
# Sentences

_ABBREVIATIONS = _wordset(
    """
    mr mrs ms dr prof sr jr st mt ft rev hon gov sen rep gen col lt sgt capt cmdr adm maj
    pres supt insp det vs v cf al ca approx est fig figs no nos vol vols pp p ch sec art para
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    inc ltd co corp bros dept univ assn ave blvd rd
    """
)
"""Words that, followed by a full stop, do not end a sentence."""

_ENDINGS = _wordset("etc e.g i.e a.m p.m u.s u.k u.n e.u")
"""Abbreviations that end a sentence only when a typical sentence opener follows."""

_OPENERS = _wordset(
    """
    the a an this that these those it its he she they we i you there here in on at for but and
    so yet however as if when while although though after before since because many most some
    one two no not our their his her my your what why how who where such even also then thus
    """
)

_BOUNDARY = re.compile(
    r"""
    (?P<end>[.!?…]+)                        # the sentence's final mark(s)
    (?P<close>["'”’)\]]*(?:\[\d+\])*)       # closing quotes or brackets, footnote marks
    (?P<gap>\s+)
    (?=["'“\u2018(\[]*[A-Z0-9])                  # the next sentence opens with a capital or digit
    """,
    re.VERBOSE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·]\s+|\d{1,2}[.)]\s+)")


def _word_before(text: str, end: int) -> str:
    """The token just before position ``end``, with inner dots kept (``e.g``, ``U.S``)."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    return text[start:end]


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    """Whether a candidate boundary really ends a sentence."""
    if match.group("end") != ".":
        return True
    word = _word_before(text, match.start("end")).strip(".")
    lowered = word.lower()
    if not word:
        return True
    next_word = re.match(r"[\"'“\u2018(\[]*([A-Za-z]+)", text[match.end() :])
    following = next_word.group(1).lower() if next_word else ""
    if lowered in _ENDINGS or ("." in word and all(len(p) == 1 for p in word.split("."))):
        return following in _OPENERS
    if lowered in _ABBREVIATIONS:
        return False
    # An initial ("J. K. Rowling"), but not a one-letter word ending a sentence ("Plan B.").
    return not (len(word) == 1 and word.isupper() and following not in _OPENERS)


def _split_block(block: str) -> list[str]:
    """Sentences of one line-joined block."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        if _is_boundary(block, match):
            sentences.append(block[start : match.start("gap")].strip())
            start = match.end()
    sentences.append(block[start:].strip())
    return [s for s in sentences if s]


def _blocks(paragraph: str) -> list[str]:
    """Join a paragraph's wrapped lines; keep list items, headings and finished lines apart."""
    blocks: list[str] = []
    current = ""
    for raw in paragraph.splitlines():
        line = raw.strip()
        if not line:
            continue
        if current and (
            _LIST_ITEM.match(line)
            or current.endswith((".", "!", "?", ":", ";", '"', "”", "…"))
            or (len(current) < 60 and line[:1].isupper())
        ):
            blocks.append(current)
            current = ""
        current = f"{current} {line}" if current else line
    if current:
        blocks.append(current)
    return blocks


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; blank lines and list items always end one."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for block in _blocks(paragraph):
            sentences.extend(_split_block(block))
    return sentences


# ---------------------------------------------------------------------------------------------
# Wording a motion

_CLEANUPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s*\[\d+(?:[,–-]\s*\d+)*\]"), ""),  # footnote marks
    (re.compile(r"\s*\((?:[^()]*\b(?:19|20)\d\d[a-z]?|see [^()]*|e\.g\.[^()]*)\)"), ""),
    (re.compile(r"https?://\S+"), ""),
    (re.compile(r"\s+"), " "),
)

_MARKERS = re.compile(
    r"""^(?:
        however|moreover|furthermore|additionally|in\ addition|besides|also|consequently|
        therefore|thus|hence|so|accordingly|as\ a\ result|as\ such|overall|ultimately|indeed|
        in\ fact|of\ course|clearly|obviously|evidently|certainly|surely|undoubtedly|above\ all|
        in\ conclusion|to\ conclude|in\ summary|to\ sum\ up|in\ sum|to\ summari[sz]e|
        in\ short|in\ brief|in\ a\ nutshell|all\ in\ all|all\ things\ considered|
        on\ balance|finally|lastly|first|firstly|first\ of\ all|second|secondly|third|thirdly|
        on\ the\ other\ hand|on\ the\ contrary|by\ contrast|in\ contrast|nevertheless|
        nonetheless|still|even\ so|that\ said|having\ said\ that|in\ other\ words|that\ is|
        in\ my\ (?:opinion|view|mind|experience)|to\ my\ mind|
        from\ my\ (?:point\ of\ view|perspective)|
        personally|honestly|frankly|basically|essentially|generally|in\ general|
        for\ (?:all\ )?(?:these|those|the\ above|this|that)\ reasons?|
        (?:from|at)\ (?:this|that)\ point(?:\ of\ view)?|
        (?:seen\ )?in\ (?:this|that)\ (?:light|sense|regard|respect|way|case|context)|
        taking\ (?:all\ )?(?:this|that|these|those)(?:\ (?:points|factors|things|arguments))?
            \ into\ (?:account|consideration)|
        (?:bearing|keeping)\ (?:this|that|these|those)(?:\ \w+)?\ in\ mind|with\ this\ in\ mind|
        to\ put\ it\ (?:simply|another\ way|bluntly)|
        as\ (?:i|we)\ (?:have\ )?(?:said|argued|seen|shown|discussed|mentioned)
            (?:\ above|\ before|\ earlier)?
    )\s*,\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_CONJUNCTIONS = re.compile(
    r"^(?:and\s+yet|and|but|yet|so|or|then|thus|hence|therefore)(?:\s*,\s*|\s+)", re.I
)

_FRAMINGS = re.compile(
    r"""^(?:
        (?:i|we)\s+(?:(?:do|would|really|truly|firmly|strongly|personally|completely|totally|
            fully|therefore|thus|also|still|honestly|wholeheartedly|absolutely|definitely|
            certainly|genuinely|sincerely)\s+)*
            (?:believe|think|feel|argue|contend|maintain|hold|suggest|propose|reckon|suppose|
            assert|claim|say|agree|am\s+convinced|are\s+convinced|am\s+sure|are\s+sure|
            am\s+certain|would\s+say|would\s+argue|can\s+(?:say|conclude)|conclude|
            am\s+of\s+the\s+(?:opinion|view)|are\s+of\s+the\s+(?:opinion|view))
            (?:\s+with\s+(?:the|this)\s+(?:statement|idea|view|opinion|notion|claim|argument|proposition))?
            (?:\s+that)?|
        (?:it\s+is|it's)\s+my\s+(?:firm\s+|strong\s+|personal\s+)?(?:belief|view|opinion|contention|conviction|position)\s+that|
        my\s+(?:firm\s+|own\s+|personal\s+)?(?:belief|view|opinion|contention|conviction|position|point)\s+is\s+that|
        (?:it\s+is|it's)\s+(?:clear|evident|obvious|undeniable|apparent|plain|certain|true|safe\s+to\s+say)\s+that|
        there\s+(?:is|can\s+be)\s+no\s+doubt\s+that|
        (?:it|this)\s+(?:can|could|may|might)\s+(?:therefore\s+|thus\s+)?be\s+(?:concluded|argued|said|seen)\s+that|
        (?:it\s+)?should\s+be\s+(?:noted|mentioned|said|stressed|emphasi[sz]ed|remembered)\s+that|
        (?:one|we)\s+(?:could|can|might|may|must)\s+(?:say|argue|conclude|postulate|note|see)\s+that|
        (?:this|the)\s+(?:essay|article|piece|paper|post|author)\s+(?:will\s+)?(?:argues?|contends?|shows?|maintains?)\s+that|
        (?:the\s+)?(?:fact|truth|point|reality|bottom\s+line)\s+is\s*(?:,\s*|\s+that\s+|:\s*)
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_DISAGREE = re.compile(
    r"^(?:i|we)\s+(?:\w+\s+)?disagree(?:\s+with\s+(?:the|this)\s+"
    r"(?:statement|idea|view|opinion|notion|claim))?(?:\s+that)?\s+",
    re.I,
)
_CONCESSIVE_LEAD = re.compile(
    r"^(?:although|though|even\s+though|even\s+if|while|whilst|despite|in\s+spite\s+of|"
    r"notwithstanding|albeit|whereas|granted|admittedly|even\s+when|"
    r"for\s+all\s+(?:his|her|their|its|the|this|that|our|your))\b[^,;]*,\s*",
    re.I,
)
_CONCESSIVE_TAIL = re.compile(
    r"(?:[,;]|\s[–—])\s*(?:although|though|even\s+though|even\s+if|whereas|whilst|albeit|despite)\b.*$",
    re.I,
)
_REASON_TAIL = re.compile(r"(?:\s*,\s*|\s+)because\b.*$|\s*,\s*since\b.*$", re.I)
_ASIDES = (
    re.compile(r"\s*\([^()]*\)"),
    re.compile(r"\s+[–—]\s[^–—]*?\s[–—](?=\s)"),
    re.compile(
        r"\s*,\s*(?:such\s+as|including|for\s+example|for\s+instance|e\.g\.|i\.e\.|"
        r"as\s+(?:it|they)\s+(?:is|are|was|were)|as\s+(?:seen|shown)\s+(?:in|by))\b.*$",
        re.I,
    ),
)
_SHORTENING_TAILS = (
    re.compile(r"\s*[;:–—]\s.*$"),
    re.compile(
        r"\s*,\s*(?:which|who|where|while|such\s+as|including|for\s+example|for\s+instance|"
        r"as\s+well\s+as|especially|particularly|not\s+least|given\s+that)\b.*$",
        re.I,
    ),
)

_HOUSE_SUBJECT = re.compile(
    r"^(?:we(?:\s+as\s+a\s+society)?|the\s+government|governments|the\s+state|states|"
    r"society|the\s+international\s+community|countries|nations|the\s+west|policymakers|"
    r"lawmakers|legislators|the\s+authorities)$",
    re.I,
)
_MODAL = re.compile(
    r"^(?P<subject>[^,;:]{1,90}?)\s+(?P<modal>should|ought\s+to|must|need\s+to|needs\s+to|"
    r"has\s+to|have\s+to)\s+(?P<neg>(?:not|never|no\s+longer)\s+)?(?P<rest>.+)$",
    re.I,
)
_PASSIVE = re.compile(r"^be\s+(?P<participle>[a-z]+)\b(?P<rest>.*)$", re.I)
_SHOULD_QUESTION = re.compile(
    r"^should\s+(?P<subject>[^?]{1,90}?)\s+(?P<neg>not\s+)?(?P<rest>be\s+[a-z]+\b[^?]*|[^?]+)\?*$",
    re.I,
)
_OBJECT_PRONOUNS = {"they": "them", "we": "us", "he": "him", "she": "her", "i": "me"}
_NON_SUBJECTS = _wordset("it this that there these those which what who")

_IRREGULAR_PARTICIPLES = {
    "taught": "teach",
    "given": "give",
    "made": "make",
    "paid": "pay",
    "held": "hold",
    "kept": "keep",
    "brought": "bring",
    "sold": "sell",
    "built": "build",
    "spent": "spend",
    "put": "put",
    "set": "set",
    "cut": "cut",
    "shown": "show",
    "known": "know",
    "seen": "see",
    "done": "do",
    "written": "write",
    "chosen": "choose",
    "forbidden": "forbid",
    "driven": "drive",
    "taken": "take",
    "broken": "break",
    "spoken": "speak",
    "told": "tell",
    "sent": "send",
    "left": "leave",
    "led": "lead",
    "fed": "feed",
    "met": "meet",
    "run": "run",
    "found": "find",
    "bought": "buy",
    "caught": "catch",
    "thought": "think",
    "fought": "fight",
    "sought": "seek",
    "understood": "understand",
    "let": "let",
    "won": "win",
    "lost": "lose",
    "read": "read",
    "heard": "hear",
    "said": "say",
    "laid": "lay",
    "drawn": "draw",
    "grown": "grow",
    "thrown": "throw",
    "worn": "wear",
    "borne": "bear",
    "born": "bear",
    "hidden": "hide",
    "struck": "strike",
    "shut": "shut",
    "spread": "spread",
    "bound": "bind",
    "dealt": "deal",
    "meant": "mean",
    "lent": "lend",
    "bent": "bend",
    "forgiven": "forgive",
    "forgotten": "forget",
    "undertaken": "undertake",
    "overtaken": "overtake",
    "withdrawn": "withdraw",
    "rebuilt": "rebuild",
    "added": "add",
}
_DOUBLED_LL = _wordset(
    "compelled controlled cancelled labelled modelled travelled expelled patrolled propelled "
    "repelled enrolled fuelled counselled levelled signalled totalled channelled"
)
_E_STEMS = (
    "at",
    "it",
    "iz",
    "is",
    "ys",
    "yz",
    "uc",
    "ac",
    "ic",
    "ir",
    "ur",
    "ud",
    "id",
    "od",
    "ov",
    "iv",
    "av",
    "ev",
    "rc",
    "rg",
    "dg",
    "ng",
    "ns",
    "rs",
    "ps",
    "lv",
    "rv",
    "bl",
    "pl",
    "tl",
    "gl",
    "dl",
    "kl",
    "cl",
    "fl",
    "ut",
    "ot",
    "ot",
    "ag",
    "ug",
    "ak",
    "ok",
    "ik",
    "in",
    "on",
    "um",
    "am",
    "ap",
    "op",
    "ar",
    "ib",
    "ub",
)
_NO_E_STEMS = _wordset(
    "limit visit edit exit profit benefit credit deposit inhibit exhibit prohibit posit audit "
    "vomit orbit habit merit permit admit submit commit omit emit remit transmit vetting "
    "contain obtain maintain retain sustain detain explain complain remain train gain strain "
    "drain chain rain attain abstain entertain ordain join ruin sin coin rein skin warn earn "
    "burn turn return learn concern mourn adorn scorn govern return alarm disarm harm farm "
    "charm arm warm perform reform transform inform conform form storm confirm affirm claim "
    "reclaim proclaim exclaim aim seem deem redeem boom doom bloom gloom roam foam loan moan "
    "groan stun shun gun plan ban tan fan can scan span man pin bin win tin grin spin fin "
    "ration question mention function position condition sanction fashion caution auction "
    "action petition partition campaign sign design assign resign align focus bias"
)


def _base_form(participle: str) -> str | None:
    """The base form of a past participle, or None when the rules are not sure."""
    word = participle.lower()
    if word in _IRREGULAR_PARTICIPLES:
        return _IRREGULAR_PARTICIPLES[word]
    if not word.endswith("ed") or len(word) < 5:
        return None
    if word.endswith("ied"):
        return word[:-3] + "y"
    stem = word[:-2]
    if stem in _NO_E_STEMS:
        return stem
    if word in _DOUBLED_LL:
        return stem[:-1]
    if stem[-1] == stem[-2] and stem[-1] in "bdgmnprt":
        return stem[:-1]
    if stem[-1] == stem[-2]:
        return stem
    if stem[-1] in "sz" and stem[-2] in "aeiou":
        return stem + "e"  # based, used, closed, released, caused, seized
    if re.search(r"(?:ea|oa|ai|ee|oo|ou|oi|ie|au)[a-z]$", stem):
        return stem
    if stem.endswith(_E_STEMS):
        return stem + "e"
    if stem[-1] in "aeiouy" or stem.endswith(("sh", "ch", "ss", "x", "ck", "lt", "nt", "st")):
        return stem
    if stem.endswith(("rm", "rn", "lp", "rk", "sk", "mp", "nd", "rd", "ld", "ft", "pt", "ct")):
        return stem
    if stem.endswith(("w", "y")):
        return stem
    return None


_COMMON_OPENERS = _wordset(
    """
    a an the this that these those it its all most many much some any every each no none
    few several both either neither such our their his her my your one two people everyone
    everybody someone anyone nobody nothing something everything there here we they he she
    you children students parents teachers governments government society schools school
    universities university education technology science scientists companies businesses
    countries nations states women men workers employees citizens voters politicians media
    news newspapers television advertising tourism tourists immigration immigrants money
    tax taxes taxation poverty crime prisons prison punishment animals zoos sport sports
    art arts music poetry history culture religion language languages cities city rural
    life work family families health healthcare medicine doctors patients internet
    computers phones smartphones social online young old older younger modern traditional
    public private global local national international economic political military
    freedom democracy war peace violence terrorism security privacy surveillance
    censorship capitalism globalisation globalization climate energy environment pollution
    nuclear space research studies evidence data experts critics supporters opponents
    banning allowing giving making having being taking using letting requiring
    """
)
_COMMON_SUFFIX = re.compile(
    r"(?:ing|tion|sion|ism|ity|ness|ment|ance|ence|ship|hood|ics|ogy|ies|ers|ors|ists|ants|"
    r"ents|ages|ures|ties|ness|ful|less|ous|ive|able|ible|ally|ly)$"
)


def _decapitalize(clause: str, common_words: Collection[str] | None) -> str:
    """Lower-case the clause's first letter unless its first word looks like a name."""
    match = re.match(r"[\"'“\u2018(]*([A-Za-z][A-Za-z'’\-]*)", clause)
    if not match:
        return clause
    word = match.group(1)
    lowered = word.lower()
    if word == "I" or not word[0].isupper() or any(c.isupper() for c in word[1:]):
        return clause
    common = lowered in STOPWORDS or lowered in _COMMON_OPENERS
    if common_words is not None:
        common = common or lowered in common_words
    else:
        common = common or bool(_COMMON_SUFFIX.search(lowered))
    if not common:
        return clause
    index = match.start(1)
    return clause[:index] + clause[index].lower() + clause[index + 1 :]


def _object_form(subject: str, common_words: Collection[str] | None) -> str:
    """A subject as it reads after a verb ("they" becomes "them")."""
    pronoun = _OBJECT_PRONOUNS.get(subject.lower())
    return pronoun if pronoun else _decapitalize(subject, common_words)


def _strip_framing(clause: str) -> str:
    """Remove leading discourse markers, concessions and first-person framing, repeatedly."""
    for _ in range(6):
        before = clause
        clause = _MARKERS.sub("", clause, count=1)
        clause = _CONJUNCTIONS.sub("", clause, count=1)
        stripped = _CONCESSIVE_LEAD.sub("", clause, count=1)
        if stripped != clause and len(stripped.split()) >= 4:
            clause = stripped
        clause = _FRAMINGS.sub("", clause, count=1)
        clause = re.sub(r"^that\s+", "", clause, flags=re.I)
        clause = re.sub(r"^[,;:\s]+", "", clause)
        if clause == before:
            break
    return clause


def _house_would(
    subject: str, neg: str, rest: str, common_words: Collection[str] | None
) -> str | None:
    """ "This House would ..." when the clause says what should be done, else None."""
    negation = f"{neg.strip().lower()} " if neg else ""
    passive = _PASSIVE.match(rest)
    subject_word = subject.split()[0].lower() if subject.split() else ""
    if passive and subject_word not in _NON_SUBJECTS:
        base = _base_form(passive.group("participle"))
        if base is not None and len(subject.split()) <= 12:
            tail = passive.group("rest")
            tail = re.sub(r"^\s+by\s+(?:the\s+)?(?:government|state|law)\b", "", tail, flags=re.I)
            obj = _object_form(subject, common_words)
            return f"This House would {negation}{base} {obj}{tail}"
        return None
    if _HOUSE_SUBJECT.match(subject.strip()):
        return f"This House would {negation}{rest}"
    return None


def _shorten(motion: str, limit: int, *, hard: bool = True) -> str:
    """Drop trailing asides until the motion fits; with ``hard``, cut at a word as a last resort."""
    for pattern in _SHORTENING_TAILS:
        if len(motion) <= limit:
            return motion
        shorter = pattern.sub("", motion)
        if len(shorter.split()) >= 6:
            motion = shorter
    if not hard:
        return motion
    while len(motion) > limit and ", " in motion:
        cut = motion.rsplit(", ", 1)[0]
        if len(cut.split()) < 6:
            break
        motion = cut
    if len(motion) > limit:
        motion = motion[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return motion


def make_motion(sentence: str, *, common_words: Collection[str] | None = None) -> str:
    """Word a sentence as a motion ("This House would/believes that ..."), ≤ 300 characters."""
    # ``common_words``: words the article writes in lower case. They tell a common word that
    # opens the clause ("Poetry") from a name ("Russia"); without them a built-in list does.
    clause = sentence.strip()
    for pattern, replacement in _CLEANUPS:
        clause = pattern.sub(replacement, clause)
    clause = clause.strip().strip("\"'“”\u2018’").strip()
    clause = re.sub(r"[.!…]+$", "", clause).strip()
    stripped = _strip_framing(clause)
    rejected = _DISAGREE.match(stripped)
    if rejected:
        stripped = stripped[rejected.end() :]
    if len(stripped.split()) >= 3:
        clause = stripped
    for tail in (_CONCESSIVE_TAIL, _REASON_TAIL):
        cut = tail.sub("", clause)
        if len(cut.split()) >= 4:
            clause = cut
    for aside in _ASIDES:
        cut = aside.sub("", clause)
        if len(cut.split()) >= 4:
            clause = cut
    clause = _shorten(clause.rstrip(" ,;:–—-").strip(), CONCISE_CHARS, hard=False)
    motion: str | None = None
    question = _SHOULD_QUESTION.match(clause)
    if question and not rejected:
        rest = question.group("rest").rstrip("?").strip()
        motion = _house_would(
            question.group("subject"), question.group("neg") or "", rest, common_words
        )
    elif clause.endswith("?"):
        clause = clause.rstrip("?").strip()
    modal = None if motion or rejected else _MODAL.match(clause)
    if modal:
        motion = _house_would(
            modal.group("subject"), modal.group("neg") or "", modal.group("rest"), common_words
        )
    if motion is None:
        clause = clause.rstrip("?").strip()
        body = _decapitalize(clause, common_words)
        prefix = "This House rejects the claim that " if rejected else "This House believes that "
        motion = prefix + body
    motion = re.sub(r"\s+", " ", motion).strip().rstrip(" ,;:")
    return _shorten(motion, MOTION_MAX_CHARS)


# ---------------------------------------------------------------------------------------------
# Sentence features

_STRONG_CUES = re.compile(
    r"""\b(?:
        (?:i|we)(?:\s+\w+){0,3}?\s+(?:believe|think|feel|argue|contend|maintain|agree|disagree|
            support|oppose|consider|favou?r|prefer|reckon|hold|side\s+with|go\s+along|
            am\s+convinced|are\s+convinced|am\s+of\s+the|would\s+argue|would\s+say)|
        in\s+my\s+(?:opinion|view|mind|eyes)|to\s+my\s+mind|
        from\s+my\s+(?:viewpoint|perspective|standpoint|point\s+of\s+view)|
        my\s+(?:own\s+|personal\s+)?(?:view|opinion|belief|position|viewpoint|standpoint|stance)|
        personally|in\s+conclusion|to\s+conclude|to\s+sum\s+up|in\s+summary|to\s+summari[sz]e|
        all\s+in\s+all|in\s+a\s+nutshell|on\s+balance|all\s+things\s+considered|
        by\s+way\s+of\s+conclusion|in\s+short|
        it\s+is\s+(?:clear|evident|obvious|undeniable)\s+that|there\s+is\s+no\s+doubt|
        (?:this|the)\s+(?:essay|article)\s+(?:will\s+)?argues?
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_MEDIUM_CUES = re.compile(
    r"""\b(?:
        should|ought\s+to|must|need\s+to|needs\s+to|have\s+to|has\s+to|
        therefore|thus|hence|consequently|overall|ultimately|
        (?:this|that|which)\s+is\s+why|for\s+(?:these|this)\s+reasons?|
        outweighs?|more\s+important|most\s+important|better|worse|best|
        (?:is|are)\s+(?:not\s+)?(?:essential|necessary|crucial|vital|harmful|beneficial|wrong|
            right|unjust|just|fair|unfair|justified|unjustified|legitimate|dangerous|
            impossible|inevitable|a\s+(?:good|bad)\s+(?:idea|thing))|
        remains?|cannot|can\s+never|will\s+never
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_QUOTE_OF_OTHERS = re.compile(
    r"""^["“\u2018]|\b(?:said|says|told|tells|according\s+to|claimed|claims|argued|argues|
        wrote|writes|stated|states|noted|notes|explained|explains|asked|asks)\b\s*[:,]?\s*["“]|
        ["”’]\s*,?\s*(?:he|she|they|it)?\s*(?:said|says|told|argued|wrote|added|explained)\b|
        ^(?:[A-Z][\w.’'-]*\s+){1,4}(?:said|says|argued|argues|claimed|claims|wrote|writes)\b""",
    re.VERBOSE,
)
_NARRATION = re.compile(
    r"""\b(?:yesterday|last\s+(?:week|month|year|night|summer|winter)|when\s+i\s+was|
        i\s+remember|years\s+ago|once\s+upon|one\s+day|
        (?:i|we)\s+(?:was|were|went|saw|met|had|did|came|got|lived|visited|spent|moved|
        started|found|heard|learned|learnt)\b|
        (?:i|we)(?:'ve|’ve|\s+have)\s+(?:written|been|spent|read|talked|spoken|seen|heard)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_EXAMPLE = re.compile(
    r"^(?:for\s+example|for\s+instance|take|consider|e\.g\.|such\s+as|an?\s+(?:good\s+)?example|"
    r"to\s+illustrate)|\b(?:for\s+example|for\s+instance)\b",
    re.I,
)
_REFERENCE = re.compile(
    r"^\s*(?:\[\d+\]|\d{1,3}[.)]?\s+[\"'\u2018“]|\^)|https?://|www\.|\b\w+@\w+\.\w+|"
    r"^\s*(?:see|source)s?\s*:",
    re.I,
)
_SOURCE_LINE = re.compile(
    r"^\s*\[[ivxlc]+\]|^\s*read\s+(?:similar|more)\b|\baccessed\s+\d|\bpp?\.\s?\d+[.\s]*$",
    re.I,
)
"""A citation or a pointer elsewhere: "[i] World Wind Energy Report 2010, p.5"."""
_REPORTED = re.compile(
    r"^(?:critics|opponents|proponents|supporters|detractors|sceptics|skeptics|others|"
    r"(?:some|many|most)(?:\s+people)?)\s+(?:say|argue|claim|contend|insist|believe|think|"
    r"maintain|suggest|hold)\b",
    re.I,
)
_FRAGMENT = re.compile(
    r"^(?:(?:and|but|yet|so|or)\s+(?:(?:more|most)\s+)?(?:[a-z]+ly\s+)?because\b|"
    r"(?:(?:more|most)\s+)?(?:[a-z]+ly\s+)?not\s+only\s+because\b|"
    r"because\b(?!\s+of\b)(?!.*,)|which\b|whereas\b|or\b|nor\b|and\s+yet\b)",
    re.I,
)
_META = re.compile(
    r"^(?:(?:i|we)(?:'ve|’ve|\s+have)?\s+(?:already\s+)?(?:written|wrote|"
    r"discussed|covered|looked\s+at)\b|in\s+(?:this|the\s+following)\s+(?:post|article|essay|"
    r"piece|paper|column)\b|(?:this|the\s+following)\s+(?:post|article|essay|piece|paper|column)"
    r"\s+(?:is\s+about|explores|looks\s+at|discusses|examines|"
    r"will\s+(?:look|explore|discuss|examine|describe|cover|consider|outline|review))\b)",
    re.I,
)
_ANAPHORA = re.compile(r"^(?:this|these|those|that|it|they|such|he|she|his|her|their)\b", re.I)
_POLICY_QUESTION = re.compile(r"^(?:so\s+|but\s+|then\s+)?should\b", re.I)
_PAST = re.compile(r"\b(?:was|were|had|did)\b", re.I)


@dataclass(frozen=True)
class _Sentence:
    """A sentence with where it stands in the article."""

    text: str
    paragraph: int
    index_in_paragraph: int
    last_in_paragraph: bool


def _cue_score(text: str) -> float:
    """How strongly the sentence announces a claim, in [0, 1]."""
    score = 1.0 if _STRONG_CUES.search(text) else 0.0
    medium = len(_MEDIUM_CUES.findall(text))
    return min(1.0, score + 0.35 * min(medium, 2))


def _penalty(text: str) -> float:
    """What makes a sentence an unlikely thesis, as a score to subtract."""
    words = len(text.split())
    penalty = 0.0
    if text.rstrip("\"'”’)").endswith("?"):
        # "Should we ...?" is a debate's own question, and words well as a motion.
        penalty += 0.2 if _POLICY_QUESTION.search(text) else 0.6
    if _QUOTE_OF_OTHERS.search(text):
        penalty += 0.35
    quoted = sum(len(q) for q in re.findall(r"[\"“][^\"”]{10,}[\"”]", text))
    if quoted > 0.5 * len(text):
        penalty += 0.3
    if _NARRATION.search(text):
        penalty += 0.25
    if _REPORTED.match(text):
        penalty += 0.15
    if len(_PAST.findall(text)) >= 2:
        penalty += 0.1
    if _EXAMPLE.search(text):
        penalty += 0.3
    if _FRAGMENT.match(text):
        penalty += 0.5
    if _ANAPHORA.match(text):
        penalty += 0.25
    if len(re.findall(r"\d+", text)) >= 3:
        penalty += 0.2
    if not re.search(r"[.!?…][\"'”’)\]]*$", text):
        penalty += 0.35
    if words < 6:
        penalty += 0.6
    elif words < 9:
        penalty += 0.15
    if words > 70:
        penalty += 0.5
    elif words > 45:
        penalty += 0.2
    return penalty


def _malformed(text: str) -> bool:
    """A sentence that makes a poor motion whatever its score: offered only after the rest.

    A fragment, a question that is not a "should" question, a heading, a very short line,
    talk about the text itself ("I've written about ...", "In this post ..."), or a citation.
    """
    question = text.rstrip("\"'”’)").endswith("?") and not _POLICY_QUESTION.search(text)
    unfinished = not re.search(r"[.!?…][\"'”’)\]]*\d{0,3}$", text)
    return (
        bool(_FRAGMENT.match(text) or _META.match(text) or _SOURCE_LINE.search(text))
        or question
        or unfinished
        or len(text.split()) < 5
    )


def _eligible(text: str) -> bool:
    """Whether the sentence may be offered at all."""
    return len(text.split()) >= 4 and not _REFERENCE.search(text) and any(c.isalpha() for c in text)


# ---------------------------------------------------------------------------------------------
# TF-IDF, LexRank, MMR

Vector = dict[str, float]


def _tfidf(documents: Sequence[list[str]]) -> list[Vector]:
    """Unit-length TF-IDF vectors, IDF taken from these documents (the article's sentences)."""
    df: Counter[str] = Counter()
    for terms in documents:
        df.update(set(terms))
    n = len(documents)
    idf = {term: math.log((n + 1) / (count + 1)) + 1.0 for term, count in df.items()}
    vectors: list[Vector] = []
    for terms in documents:
        counts = Counter(terms)
        vector = {t: (1.0 + math.log(c)) * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({t: v / norm for t, v in vector.items()})
    return vectors


def _cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _similarities(vectors: Sequence[Vector]) -> list[dict[int, float]]:
    """Sparse pairwise cosine similarities, by way of an inverted index."""
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings.setdefault(term, []).append((i, weight))
    rows: list[dict[int, float]] = [{} for _ in vectors]
    for entries in postings.values():
        if len(entries) < 2:
            continue
        for a, (i, wi) in enumerate(entries):
            row = rows[i]
            for j, wj in entries[a + 1 :]:
                row[j] = row.get(j, 0.0) + wi * wj
    for i, row in enumerate(rows):
        for j, value in row.items():
            if j > i:
                rows[j][i] = value
    return rows


def _lexrank(
    rows: Sequence[dict[int, float]], prior: Sequence[float] | None = None, damping: float = 0.85
) -> list[float]:
    """Continuous LexRank: where a random walk over similarities spends its time.

    ``prior`` biases where the walk restarts (biased LexRank); uniform when None.
    """
    n = len(rows)
    if n == 0:
        return []
    total = sum(prior) if prior else 0.0
    restart = [p / total for p in prior] if prior and total > 0 else [1.0 / n] * n
    out_weight = [sum(row.values()) for row in rows]
    rank = [1.0 / n] * n
    for _ in range(50):
        new = [(1.0 - damping) * r for r in restart]
        dangling = 0.0
        for i, row in enumerate(rows):
            if out_weight[i] == 0.0:
                dangling += rank[i]
                continue
            share = damping * rank[i] / out_weight[i]
            for j, weight in row.items():
                new[j] += share * weight
        if dangling:
            new = [value + damping * dangling * r for value, r in zip(new, restart, strict=True)]
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < 1e-6:
            break
    return rank


def _mmr(
    order: Sequence[int],
    scores: Sequence[float],
    rows: Sequence[dict[int, float]],
    chosen: Sequence[int],
    count: int,
    diversity: float,
    malformed: Sequence[bool],
) -> list[int]:
    """``count`` picks after ``chosen``: each trades its score against likeness to earlier picks.

    Well-formed sentences all come before malformed ones.
    """
    picks = list(chosen)
    pool = [i for i in order if i not in picks]
    while pool and len(picks) < len(chosen) + count:
        best = max(
            pool,
            key=lambda i: (
                not malformed[i],
                scores[i] - diversity * max((rows[i].get(j, 0.0) for j in picks), default=0.0),
            ),
        )
        picks.append(best)
        pool.remove(best)
    return picks[len(chosen) :]


# ---------------------------------------------------------------------------------------------
# Ranking


@dataclass(frozen=True)
class Weights:
    """How much each feature counts in a sentence's score."""

    centrality: float
    heading: float
    cues: float
    position: float
    topic: float
    intro_bias: float
    heading_bias: float
    diversity: float = 0.3
    motion_topic: float = 0.0
    motion_length: float = 0.0


ARGUED = Weights(
    centrality=0.9, heading=0.6, cues=0.9, position=0.6, topic=0.0, intro_bias=3.0, heading_bias=3.0
)
"""For a text whose author signals a stance ("I believe", "In conclusion"): trust the cues and
the essay's shape, and bias centrality toward the introduction and the title."""

EXPOSITORY = Weights(
    centrality=6.0,
    heading=0.6,
    cues=0.6,
    position=0.4,
    topic=2.0,
    intro_bias=0.0,
    heading_bias=0.0,
    motion_topic=4.0,
    motion_length=0.75,
)
"""For a text without such signals (a report, a debate guide): centrality and topic lead, and
a concise motion that names the topic beats a long one that wanders from it (``motion_length``
is per ten words of the motion's clause)."""

STANCE_DENSITY = 0.03
"""Share of sentences with a stance cue from which a text counts as argued."""

TOPIC_WORDS = 10
"""How many of the article's most widespread content words make up its topic."""

MOTION_LENGTH_CAP = 40
"""Words of a motion's clause beyond this cost no more: such a motion is long either way."""


@dataclass(frozen=True)
class _Ranking:
    """The scored sentences of one article (the subtitle, if any, last)."""

    sentences: list[_Sentence]
    scores: list[float]
    rows: list[dict[int, float]]
    eligible: list[bool]
    subtitle_index: int | None
    argued: bool
    malformed: list[bool]
    motions: list[str]

    def best(self) -> float:
        """The highest score of any sentence that may be offered."""
        offered = [s for i, s in enumerate(self.scores) if self.eligible[i]]
        if self.subtitle_index is not None:
            offered.append(self.scores[self.subtitle_index])
        return max(offered)


def _paragraph_sentences(text: str) -> list[_Sentence]:
    """The sentences of the ranked part of the text, with their positions."""
    sentences: list[_Sentence] = []
    paragraphs = [p for p in re.split(r"\n\s*\n", text[:MAX_RANKED_CHARS]) if p.strip()]
    for p, paragraph in enumerate(paragraphs):
        found = split_sentences(paragraph)
        for i, sentence in enumerate(found):
            sentences.append(_Sentence(sentence, p, i, i == len(found) - 1))
    return sentences


def _position_score(sentence: _Sentence, last_paragraph: int, first_eligible: bool) -> float:
    """Where theses sit: the introduction's end, the conclusion's start, a paragraph's start."""
    score = 0.0
    if sentence.paragraph == 0 and sentence.last_in_paragraph and sentence.index_in_paragraph > 0:
        score += 0.5
    if sentence.paragraph == last_paragraph and sentence.index_in_paragraph == 0:
        score += 0.35
    if sentence.index_in_paragraph == 0:
        score += 0.15
    if first_eligible:
        score += 0.1
    if sentence.paragraph == 0:
        score += 0.1
    return score


def _keywords(terms: Sequence[list[str]], eligible: Sequence[bool]) -> dict[str, float]:
    """The article's topic: its most widespread content words, weighted by their spread."""
    spread: Counter[str] = Counter()
    for i, words in enumerate(terms):
        if eligible[i]:
            spread.update(set(words))
    top = spread.most_common(TOPIC_WORDS)
    total = sum(count for _, count in top) or 1
    return {term: count / total for term, count in top}


def _merge(*vectors: Vector) -> Vector:
    """The normalised sum of some vectors: one query made of the title and the subtitle."""
    merged: Vector = {}
    for vector in vectors:
        for term, weight in vector.items():
            merged[term] = merged.get(term, 0.0) + weight
    norm = math.sqrt(sum(v * v for v in merged.values())) or 1.0
    return {t: v / norm for t, v in merged.items()}


_HOUSE_PREFIX = re.compile(r"^This House (?:would|believes that|rejects the claim that)\s+", re.I)


def _motion_focus(motion: str, keywords: dict[str, float]) -> tuple[float, float]:
    """How much of the article's topic a motion's clause names, and its length in tens of words.

    A motion that names the subject in few words states what the debate is about; one that
    runs on through examples and asides blurs it.
    """
    clause = _HOUSE_PREFIX.sub("", motion)
    named = sum(keywords.get(term, 0.0) for term in set(_terms(clause)))
    return named, min(len(_words(clause)), MOTION_LENGTH_CAP) / 10


def _is_argued(sentences: Sequence[_Sentence], eligible: Sequence[bool]) -> bool:
    """Whether the author argues a stance: stance cues are dense enough, and one of them sits
    in the opening or the closing paragraph, where an argued text states its thesis.

    A debate guide or a report may say "we might consider" or "it is clear that" somewhere
    in its body; that alone does not make it an essay.
    """
    stances = [s for i, s in enumerate(sentences) if eligible[i] and _STRONG_CUES.search(s.text)]
    if len(stances) < max(1.0, STANCE_DENSITY * sum(eligible)):
        return False
    paragraphs = [s.paragraph for i, s in enumerate(sentences) if eligible[i] and s.paragraph >= 0]
    if not paragraphs:
        return True
    edges = {min(paragraphs), max(paragraphs)}
    return any(s.paragraph in edges for s in stances)


def _rank(article: Article) -> _Ranking:
    """Score every sentence of the article; raise when there is nothing to rank."""
    if not looks_english(f"{article.title}\n{article.subtitle}\n{article.text[:20_000]}"):
        raise NotEnglish("the text does not read as English")
    sentences = _paragraph_sentences(article.text)
    subtitle = " ".join(article.subtitle.split())
    subtitle_index: int | None = None
    if subtitle:
        subtitle_index = len(sentences)
        sentences.append(_Sentence(subtitle, -1, 0, True))
    eligible = [_eligible(s.text) and i != subtitle_index for i, s in enumerate(sentences)]
    if not any(eligible):
        raise NoSentences("no sentence to rank")
    terms = [_terms(s.text) for s in sentences]
    *vectors, title_vector, subtitle_vector = _tfidf(
        [*terms, _terms(article.title), _terms(subtitle)]
    )
    rows = _similarities(vectors)
    argued = _is_argued(sentences, eligible)
    weights = ARGUED if argued else EXPOSITORY
    heading_vector = _merge(title_vector, subtitle_vector)
    prior = [
        1.0
        + (weights.intro_bias if s.paragraph <= 0 else 0.0)
        + weights.heading_bias * _cosine(vectors[i], heading_vector)
        for i, s in enumerate(sentences)
    ]
    centrality = _lexrank(rows, prior)
    offered = [centrality[i] for i in range(len(sentences)) if eligible[i]]
    low, spread = min(offered), (max(offered) - min(offered)) or 1.0
    last_paragraph = max(s.paragraph for s in sentences)
    first = eligible.index(True)
    keywords = _keywords(terms, eligible)
    common = _common_words(article.text[:MAX_RANKED_CHARS])
    motions = [
        make_motion(s.text, common_words=common) if eligible[i] or i == subtitle_index else ""
        for i, s in enumerate(sentences)
    ]
    scores: list[float] = []
    for i, sentence in enumerate(sentences):
        heading = _cosine(vectors[i], title_vector)
        if i != subtitle_index:
            heading = max(heading, _cosine(vectors[i], subtitle_vector))
        central = min(max((centrality[i] - low) / spread, 0.0), 1.0)
        topic = sum(keywords.get(t, 0.0) for t in set(terms[i]))
        named, length = _motion_focus(motions[i], keywords)
        score = (
            weights.centrality * central
            + weights.heading * heading
            + weights.cues * _cue_score(sentence.text)
            + weights.position * _position_score(sentence, last_paragraph, i == first)
            + weights.topic * topic
            + weights.motion_topic * named
            - weights.motion_length * length
            - _penalty(sentence.text)
        )
        scores.append(score)
    malformed = [_malformed(s.text) for s in sentences]
    return _Ranking(sentences, scores, rows, eligible, subtitle_index, argued, malformed, motions)


_NOT_A_CLAIM = re.compile(
    r"^(?:how|why|what|when|where|who|which|inside|meet|a\s+look|the\s+story|the\s+case\s+for|"
    r"the\s+case\s+against|an?\s+(?:guide|primer|interview|introduction|overview))\b",
    re.I,
)
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|be|remains?|will|would|can|could|should|must|may|might|has|have|had|"
    r"does|do|did|cannot|can't|won't|isn't|aren't|needs?|makes?|shows?|means?|proves?|"
    r"threatens?|risks?|fails?|works?|harms?|helps?|hurts?|matters?|costs?|deserves?|knows?|"
    r"[a-z]{3,}(?:s|ed))\b",
    re.I,
)


def is_claim(text: str) -> bool:
    """Whether a line (a subtitle, say) states a claim rather than a topic or a question."""
    words = text.split()
    return (
        len(words) >= 6
        and not text.rstrip().endswith("?")
        and not _NOT_A_CLAIM.match(text.strip())
        and bool(_FINITE_VERB.search(" ".join(words[1:])))
    )


def _common_words(text: str) -> frozenset[str]:
    """Words the article writes in lower case somewhere: common words, not names."""
    return frozenset(w for w in _WORD.findall(text.translate(_APOSTROPHES)) if w.islower())


def _lead_index(ranking: _Ranking) -> int:
    """The lead slot: the best sentence of the opening paragraph.

    In news, speeches and debate pages that is the lead itself; in an essay it is the
    thesis statement that closes the introduction.
    """
    plausible = [
        i
        for i, sentence in enumerate(ranking.sentences)
        if ranking.eligible[i] and not ranking.malformed[i] and _penalty(sentence.text) < 0.5
    ] or [ranking.eligible.index(True)]
    opening = ranking.sentences[plausible[0]].paragraph
    return max(
        (i for i in plausible if ranking.sentences[i].paragraph == opening),
        key=lambda i: (ranking.scores[i], -i),
    )


def propose_motions(article: Article, k: int = 5) -> list[Candidate]:
    """Up to ``k`` (at most 10) distinct candidate motions for the article, best first."""
    # A candidate's score is its sentence's score relative to the article's best (1.0); the
    # subtitle and the lead slot keep their places, so a later candidate can score higher.
    k = max(0, min(k, MAX_CANDIDATES))
    ranking = _rank(article)
    if k == 0:
        return []
    order = sorted(
        (i for i, ok in enumerate(ranking.eligible) if ok),
        key=lambda i: (ranking.malformed[i], -ranking.scores[i], i),
    )
    diversity = (ARGUED if ranking.argued else EXPOSITORY).diversity
    picks: list[int] = []
    if ranking.subtitle_index is not None and is_claim(article.subtitle):
        picks.append(ranking.subtitle_index)
    picks += _mmr(order, ranking.scores, ranking.rows, picks, 2, diversity, ranking.malformed)
    lead = _lead_index(ranking)
    if lead not in picks:
        picks.append(lead)
    picks += _mmr(order, ranking.scores, ranking.rows, picks, k + 5, diversity, ranking.malformed)
    best = ranking.best() or 1.0
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for i in picks:
        sentence = ranking.sentences[i].text
        motion = ranking.motions[i]
        key = re.sub(r"\W+", " ", motion.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        score = round(min(1.0, max(0.0, ranking.scores[i] / best)), 3) if best > 0 else 0.0
        candidates.append(Candidate(motion, sentence, score))
        if len(candidates) == k:
            break
    return candidates


def _plain_centrality(ranking: _Ranking) -> list[int]:
    """Offered sentences by plain (unbiased) LexRank centrality, most central first."""
    centrality = _lexrank(ranking.rows)
    return sorted(
        (i for i, ok in enumerate(ranking.eligible) if ok), key=lambda i: (-centrality[i], i)
    )


def key_sentences(article: Article, n: int = 3) -> list[str]:
    """The article's ``n`` most central sentences (by LexRank), in text order."""
    ranking = _rank(article)
    order = _plain_centrality(ranking)
    plausible = [
        i for i in order if not ranking.malformed[i] and _penalty(ranking.sentences[i].text) < 0.5
    ] or order
    chosen: list[int] = []
    for i in plausible:
        if len(chosen) >= max(0, n):
            break
        if all(ranking.sentences[i].text != ranking.sentences[j].text for j in chosen):
            chosen.append(i)
    return [ranking.sentences[i].text for i in sorted(chosen)]


def lexrank_order(article: Article) -> list[str]:
    """Every offered sentence by LexRank centrality alone, most central first (a baseline)."""
    ranking = _rank(article)
    return list(dict.fromkeys(ranking.sentences[i].text for i in _plain_centrality(ranking)))
