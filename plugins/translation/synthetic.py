"""The embedded translation benchmark: a deterministic synthetic language pair made by code.

The toolkit has no network access, so its default translation data set is generated here.
The source side is simplified English; the target side is an invented language whose stems are
drawn from syllables with a fixed seed (the language is the same for every corpus seed; only
the sampled sentences change). Each sentence is sampled as a small tree and realized in both
languages, so the translation is a deterministic function of the source sentence and a good
model can reach BLEU > 90, while still having to learn what real translation needs:

* agreement: target nouns have gender (masculine/feminine, fixed per noun and not visible on
  the noun) and number; articles, determiners, possessives and adjectives take the suffix
  -o/-a/-i/-e (m.sg/f.sg/m.pl/f.pl), and verbs take a person/number suffix
  (-o/-as/-a/-amos/-an for i/you/he,she/we/they) where English marks only the 3rd singular;
* reordering: adjectives follow the noun (two adjectives in mirror order), adverbs precede the
  object, non-finite verbs and separable particles go to the end of the clause (German-like
  "hat ... gesehen", "ruft ... an"), subordinate clauses are verb-final, and a main clause after
  a fronted "when/if/although" clause starts with its finite verb;
* one-to-many: past/future/progressive verbs become auxiliary + participle/infinitive, some verbs
  carry a separable particle, "not" becomes the circumfix "ne ... pas";
* many-to-one: "look at", "wait for" etc. are one target verb, "in the"/"on the" contract into
  one article token, multi-word adverbs ("every day") are one word, "do/does/did" vanish,
  "his"/"her" and "some"/bare plurals fall together.

Vocabularies are about 540 source and 800 target words, each frequent in 40k training pairs.
"""
from __future__ import annotations

import bisect
import random
import re
from typing import NamedTuple

_DEFAULT_SIZES = {"train": 40000, "valid": 500, "test": 1000}
_LANGUAGE_SEED = 20240611  # fixes the target lexicon; the corpus seed only picks sentences

# --- source lexicon (English) -------------------------------------------------------------
_NOUNS = """dog cat horse bird cow pig rabbit mouse lion tiger bear fox duck goat snake frog monkey
donkey elephant spider man woman child boy girl teacher doctor farmer baker king queen student
friend brother sister mother father uncle aunt neighbor soldier nurse pilot guest captain artist
book table chair door window house car bus boat ship cup plate spoon bottle box bag key letter pen
pencil phone lamp clock bed coat hat shoe shirt ring ball toy gift basket candle apple bread cake
cheese egg banana lemon carrot potato sandwich garden kitchen school city village river forest
mountain lake beach island street bridge castle church tower farm station office hospital museum
library tree flower stone star moon cloud hill mirror""".split()
_IRREGULAR_PLURALS = {"man": "men", "woman": "women", "child": "children", "mouse": "mice",
                      "potato": "potatoes"}
_ADJECTIVES = """big small old young new tall short happy sad angry hungry tired red blue green
black white yellow brown heavy strong rich poor pretty ugly clever busy famous lazy brave dirty wet
warm cold huge tiny strange""".split()
_ADVERBS = """quickly slowly often sometimes happily sadly quietly loudly carefully easily again
together alone early late here there every_day at_night at_home in_the_morning""".split()
_NAMES = """anna ben carla david emma frank grace henry irene jack julia kevin laura mark nina oscar
paula peter rosa simon tina victor wendy alex maria lucas sofia hugo clara felix""".split()
# verbs as base:past[:particle]; a particle makes an English phrasal verb ("look at")
_TRANSITIVE = """see:saw eat:ate find:found take:took bring:brought buy:bought sell:sold write:wrote
draw:drew carry:carried wash:washed push:pushed catch:caught hold:held build:built break:broke
visit:visited love:loved help:helped follow:followed look:looked:at wait:waited:for
listen:listened:to talk:talked:to ask:asked:for""".split()
_INTRANSITIVE = """run:ran sleep:slept swim:swam dance:danced sing:sang walk:walked laugh:laughed
jump:jumped""".split()
_SAY = "say:said think:thought know:knew believe:believed hope:hoped".split()  # take a "that" clause
_PRONOUNS = {"i": "1s", "you": "2s", "he": "3s", "she": "3s", "we": "1p", "they": "3p"}
_PRONOUN_LIST = list(_PRONOUNS)
_EN_BE = {"1s": "am", "2s": "are", "3s": "is", "1p": "are", "3p": "are"}
_NUMBERS = "two three four five six seven eight nine ten".split()
_POSSESSIVES = "my your his her our their".split()
_SG_DETS = ["a", "this", "that", *_POSSESSIVES]
_PL_DETS = ["", "some", "these", "those", *_POSSESSIVES, *_NUMBERS]  # "" is a bare plural
_PREPS = "in on under near with behind without after before".split()
_SUBORDINATORS = "because when if while although".split()
_FRONTABLE = {"when", "if", "although"}
_TENSES = ("pres", "past", "fut", "prog")
_TENSE_CUMULATIVE = (0.45, 0.7, 0.88)  # 45% present, 25% past, 18% future, 12% progressive

# --- target function words (hand-made); content words come from _build_lexicon -----------
_T_PRON = {"i": "jo", "you": "tu", "he": "el", "she": "ela", "we": "nos", "they": "ili"}
_T_SUFFIX = {"1s": "o", "2s": "as", "3s": "a", "1p": "amos", "3p": "an"}
_T_AUX = {"past": "av", "fut": "vol", "prog": "star"}  # + person suffix; main verb -ito / -ar
_AGR = {("m", False): "o", ("f", False): "a", ("m", True): "i", ("f", True): "e"}
_T_DET = {"the": "l", "a": "un", "this": "est", "these": "est", "that": "kwel", "those": "kwel",
          "some": "alkun", "": "alkun", "my": "mi", "your": "tu", "his": "su", "her": "su",
          "our": "nos", "their": "lor"}  # + agreement suffix
_T_NUM = dict(zip(_NUMBERS, "du tri kwar kin ses sep oto nov dek".split()))
_T_PREP = dict(zip(_PREPS, "en sur sub apud kon dor sen pos ante".split()))
_T_CONTRACT = {"in": "ne", "on": "su"}  # "in the" -> nelo/nela/neli/nele
_T_CONJ = {"because": "porke", "when": "kwan", "if": "se", "while": "dum", "although": "malgre",
           "and": "e", "but": "ma"}
_SEPARABLE_PARTICLES = ("ab", "ek", "tra", "um")


def _plural_s(word: str) -> str:
    """English -s suffix for 3rd person verbs and nouns (boxes, carries, keys)."""
    if re.search(r"(s|sh|ch|x|z|o)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _ing(base: str) -> str:
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", base):  # one-vowel CVC: run -> running
        return base + base[-1] + "ing"
    return (base[:-1] if base.endswith("e") and not base.endswith("ee") else base) + "ing"


def _en_verbs() -> dict[str, tuple[str, str, str, str, str | None]]:
    """base -> (base, 3rd singular, past, -ing, phrasal particle)."""
    verbs = {}
    for entry in _TRANSITIVE + _INTRANSITIVE + _SAY:
        base, past, *particle = entry.split(":")
        verbs[base] = (base, _plural_s(base), past, _ing(base), particle[0] if particle else None)
    return verbs


def _build_lexicon():
    """Invented target stems (CVCVC, so stem + suffix never collides), genders and particles."""
    rng = random.Random(_LANGUAGE_SEED)
    taken = set(_NAMES)

    def stem() -> str:
        while True:
            word = "".join(rng.choice("bdfgklmnprstvz" if i % 2 == 0 else "aeiou") for i in range(5))
            if word not in taken:
                taken.add(word)
                return word

    nouns = {noun: (stem(), rng.choice("mf")) for noun in _NOUNS}
    adjectives = {adj: stem() for adj in _ADJECTIVES}
    adverbs = {adv.replace("_", " "): stem() for adv in _ADVERBS}
    verbs = {base: [stem(), None] for base in _EN_VERB}
    for base in rng.sample(_TRANSITIVE_BASES + _INTRANSITIVE_BASES, 8):
        verbs[base][1] = rng.choice(_SEPARABLE_PARTICLES)
    return nouns, adjectives, adverbs, {base: tuple(v) for base, v in verbs.items()}


_EN_VERB = _en_verbs()
_TRANSITIVE_BASES, _INTRANSITIVE_BASES, _SAY_BASES = (
    [entry.split(":")[0] for entry in group] for group in (_TRANSITIVE, _INTRANSITIVE, _SAY))
_EN_PLURAL = {noun: _IRREGULAR_PLURALS.get(noun) or _plural_s(noun) for noun in _NOUNS}
_T_NOUN, _T_ADJ, _T_ADV, _T_VERB = _build_lexicon()


# --- sentence trees -------------------------------------------------------------------------
# A noun phrase is ("pron", word), ("name", word) or ("noun", det, adjectives, noun, plural).
class _Clause(NamedTuple):
    subj: tuple
    verb: str  # English base form
    tense: str = "pres"
    neg: bool = False
    obj: tuple | None = None
    adv: str | None = None
    pp: tuple | None = None  # (preposition, noun phrase)
    comp: _Clause | None = None  # "that" clause of a verb of saying


def _person(np: tuple) -> str:
    if np[0] == "pron":
        return _PRONOUNS[np[1]]
    return "3p" if np[0] == "noun" and np[4] else "3s"


def _sample_np(rng: random.Random, pronoun_p: float) -> tuple:
    r = rng.random()
    if r < pronoun_p:
        return ("pron", rng.choice(_PRONOUN_LIST))
    if r < pronoun_p + 0.12:
        return ("name", rng.choice(_NAMES))
    plural = rng.random() < 0.35
    det = "the" if rng.random() < 0.4 else rng.choice(_PL_DETS if plural else _SG_DETS)
    r = rng.random()  # 60% no adjective, 30% one, 10% two
    adjectives = tuple(rng.sample(_ADJECTIVES, (r > 0.6) + (r > 0.9)))
    return ("noun", det, adjectives, rng.choice(_NOUNS), plural)


def _sample_clause(rng: random.Random, depth: int) -> _Clause:
    kind, comp, obj = rng.random(), None, None  # 16% verb of saying (main clauses only)
    if depth == 0 and kind < 0.16:
        verb = rng.choice(_SAY_BASES)
        comp = _sample_clause(rng, depth + 1)
    elif kind < 0.7:
        verb = rng.choice(_TRANSITIVE_BASES)
        obj = _sample_np(rng, 0.0)
    else:
        verb = rng.choice(_INTRANSITIVE_BASES)
    subj = _sample_np(rng, 0.45)
    tense = _TENSES[bisect.bisect(_TENSE_CUMULATIVE, rng.random())]
    neg = rng.random() < 0.2
    adv = rng.choice(_ADVERBS).replace("_", " ") if rng.random() < 0.25 else None
    pp = (rng.choice(_PREPS), _sample_np(rng, 0.0)) if rng.random() < 0.3 else None
    return _Clause(subj, verb, tense, neg, obj, adv, pp, comp)


def _sample_sentence(rng: random.Random) -> tuple:
    """(main clause, conjunction or None, second clause or None, whether the second is fronted)."""
    main, r = _sample_clause(rng, 0), rng.random()
    if r < 0.3:
        conj = rng.choice(_SUBORDINATORS)
        return main, conj, _sample_clause(rng, 1), conj in _FRONTABLE and rng.random() < 0.4
    if r < 0.4:
        return main, rng.choice(("and", "but")), _sample_clause(rng, 1), False
    return main, None, None, False


# --- realization ------------------------------------------------------------------------------
def _en_np(np: tuple) -> list[str]:
    if np[0] != "noun":
        return [np[1]]
    _, det, adjectives, noun, plural = np
    words = [*adjectives, _EN_PLURAL[noun] if plural else noun]
    if det == "a" and words[0][0] in "aeiou":
        det = "an"
    return ([det] if det else []) + words


def _en_clause(c: _Clause) -> list[str]:
    person = _person(c.subj)
    base, third, past, ing, particle = _EN_VERB[c.verb]
    nots = ["not"] if c.neg else []
    if c.tense == "pres":
        do, verb = ("does", third) if person == "3s" else ("do", base)
        verbs = [do, "not", base] if c.neg else [verb]
    elif c.tense == "past":
        verbs = ["did", "not", base] if c.neg else [past]
    elif c.tense == "fut":
        verbs = ["will", *nots, base]
    else:
        verbs = [_EN_BE[person], *nots, ing]
    words = _en_np(c.subj) + verbs
    if c.obj:
        words += ([particle] if particle else []) + _en_np(c.obj)
    words += c.adv.split() if c.adv else []
    words += [c.pp[0], *_en_np(c.pp[1])] if c.pp else []
    return words + (["that", *_en_clause(c.comp)] if c.comp else [])


def _t_np(np: tuple, prep: str | None = None) -> list[str]:
    if np[0] == "pron":
        words = [_T_PRON[np[1]]]
    elif np[0] == "name":
        words = [np[1]]
    else:
        _, det, adjectives, noun, plural = np
        stem, gender = _T_NOUN[noun]
        agr = _AGR[gender, plural]
        words = [_T_NUM.get(det) or _T_DET[det] + agr, stem + "en" * plural,
                 *(_T_ADJ[adj] + agr for adj in reversed(adjectives))]
        if det == "the" and prep in _T_CONTRACT:
            return [_T_CONTRACT[prep] + words[0], *words[1:]]
    return ([_T_PREP[prep]] if prep else []) + words


def _t_clause(c: _Clause, order: str) -> list[str]:
    """order: "main" (S V ...), "inv" (V S ..., after a fronted clause) or "sub" (verb-final)."""
    stem, particle = _T_VERB[c.verb]
    suffix = _T_SUFFIX[_person(c.subj)]
    if c.tense == "pres":
        finite, nonfinite = [stem + suffix], []
    else:
        finite, nonfinite = [_T_AUX[c.tense] + suffix], [stem + ("ito" if c.tense == "past" else "ar")]
    if c.neg:
        finite = ["ne", *finite, "pas"]
    middle = ([_T_ADV[c.adv]] if c.adv else []) + (_t_np(c.obj) if c.obj else [])
    middle += _t_np(c.pp[1], c.pp[0]) if c.pp else []
    tail = ([particle] if particle else []) + nonfinite
    subj = _t_np(c.subj)
    if order == "main":
        words = subj + finite + middle + tail
    elif order == "inv":
        words = finite + subj + middle + tail
    else:
        words = subj + middle + tail + finite
    return words + (["ke", *_t_clause(c.comp, "sub")] if c.comp else [])


def _translate(sentence: tuple) -> tuple[str, str]:
    """(source, target) strings of a sentence tree."""
    main, conj, other, fronted = sentence
    if conj is None:
        src, tgt = _en_clause(main), _t_clause(main, "main")
    elif fronted:
        src = [conj, *_en_clause(other), ",", *_en_clause(main)]
        tgt = [_T_CONJ[conj], *_t_clause(other, "sub"), ",", *_t_clause(main, "inv")]
    else:
        src = [*_en_clause(main), conj, *_en_clause(other)]
        order = "main" if conj in ("and", "but") else "sub"
        tgt = [*_t_clause(main, "main"), _T_CONJ[conj], *_t_clause(other, order)]
    return " ".join(src + ["."]), " ".join(tgt + ["."])


def generate_corpus(seed: int = 1234, sizes: dict[str, int] | None = None
                    ) -> dict[str, list[tuple[str, str]]]:
    """Return {"train": [(src, tgt), ...], "valid": [...], "test": [...]}.

    sizes default {"train": 40000, "valid": 500, "test": 1000}; a split missing from ``sizes``
    keeps its default. Sources are unique across the corpus, so no pair is shared between splits.
    """
    sizes = {**_DEFAULT_SIZES, **(sizes or {})}
    rng = random.Random(seed)
    pairs: dict[str, str] = {}
    while len(pairs) < sum(sizes[split] for split in _DEFAULT_SIZES):
        src, tgt = _translate(_sample_sentence(rng))
        pairs.setdefault(src, tgt)
    items, corpus, start = list(pairs.items()), {}, 0
    for split in _DEFAULT_SIZES:
        corpus[split] = items[start:start + sizes[split]]
        start += sizes[split]
    return corpus
