"""English inflection and sentence frames for the embedded corpus: everyday typed messages.

Sentences are sampled from about thirty frames (statements in four tenses, questions, requests,
plans, complaints) filled from `lexicon.py` with agreement (a/an, 3rd person -s, plural nouns,
irregular verbs), capitalization ("I", names, sentence start) and end punctuation, so that a
corrector must learn real spelling, morphology and a little context, as on a phone keyboard.
"""
from __future__ import annotations

import random
import re

from plugins.keyboard.corpus import lexicon as L

VOWELS = set("aeiou")
IRREGULAR_PLURALS = {"man": "men", "woman": "women", "child": "children", "person": "people", "knife": "knives",
                     "wife": "wives", "mouse": "mice", "fish": "fish", "glasses": "glasses", "headphones": "headphones",
                     "baby": "babies", "family": "families", "lady": "ladies", "city": "cities", "kid": "kids"}
PRONOUNS = {"i": "1s", "you": "2s", "he": "3s", "she": "3s", "we": "1p", "they": "3p"}
OBJECT_PRONOUNS = "me you him her it us them".split()
BE = {"1s": "am", "2s": "are", "3s": "is", "1p": "are", "3p": "are"}
BE_PAST = {"1s": "was", "2s": "were", "3s": "was", "1p": "were", "3p": "were"}
DETERMINERS = "the the the a my your his her our their this that".split()
TIME_WORDS = {"past": "yesterday last_week last_night last_month this_morning on_Monday on_Sunday".split(),
              "future": "tomorrow tonight later soon next_week next_month this_weekend on_Friday after_work".split()}
TIME_WORDS.update(going=TIME_WORDS["future"], perfect=["today", "this_week", "already", "this_morning"])
WEATHER = "sunny rainy cloudy windy snowy foggy cold hot warm".split()


def _verbs(entries: list[str]) -> dict[str, tuple[str, str]]:
    """base -> (past, participle); regular verbs get theirs from `regular_past`."""
    verbs = {}
    for entry in entries:
        base, *forms = entry.split(":")
        past = forms[0] if forms else regular_past(base)
        verbs[base] = (past, forms[1] if len(forms) > 1 else past)
    return verbs


def _one_syllable_cvc(word: str) -> bool:
    """Short words ending consonant-vowel-consonant double their last letter (stop -> stopped)."""
    groups = len(re.findall(r"[aeiou]+", word))
    return (groups == 1 and len(word) >= 3 and word[-1] not in VOWELS | set("wxy")
            and word[-2] in VOWELS and word[-3] not in VOWELS)


def regular_past(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2] not in VOWELS:
        return verb[:-1] + "ied"
    if verb == "panic":
        return "panicked"
    return verb + verb[-1] + "ed" if _one_syllable_cvc(verb) else verb + "ed"


def third_person(verb: str) -> str:
    if verb == "have":
        return "has"
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in VOWELS:
        return verb[:-1] + "ies"
    return verb + "s"


def gerund(verb: str) -> str:
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye")) and verb != "be":
        return verb[:-1] + "ing"
    if verb == "panic":
        return "panicking"
    return verb + verb[-1] + "ing" if _one_syllable_cvc(verb) else verb + "ing"


def plural(noun: str) -> str:
    if noun in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in VOWELS:
        return noun[:-1] + "ies"
    return noun + "s"


def article(word: str) -> str:
    if word.startswith(("uni", "use", "eu")):
        return "a"
    return "an" if word[0] in VOWELS or word.startswith(("hour", "honest")) else "a"


TRANSITIVE, INTRANSITIVE = _verbs(L.TRANSITIVE), _verbs(L.INTRANSITIVE)
COUNTABLE = L.THINGS + L.PEOPLE + L.PLACES + L.EVENTS


class Sampler:
    """Phrase makers over one random generator; each returns a list of words."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, items):
        return self.rng.choice(items)

    def maybe(self, probability: float) -> bool:
        return self.rng.random() < probability

    def noun_phrase(self, nouns: list[str]) -> list[str]:
        noun = self.pick(nouns)
        if self.maybe(0.15) and nouns is not L.FOOD:
            quantity = self.pick(["some", "two", "three", "these", "those", "my", "the", *L.NUMBERS])
            words = [plural(noun)]
            if self.maybe(0.3):
                words.insert(0, self.pick(L.ADJECTIVES))
            return [quantity, *words]
        words = [noun]
        if self.maybe(0.3):
            words.insert(0, self.pick(L.ADJECTIVES))
        determiner = self.pick(DETERMINERS + (["some"] if nouns is L.FOOD else []))
        return [article(words[0]) if determiner == "a" else determiner, *words]

    def thing(self) -> list[str]:
        return self.noun_phrase(self.pick([L.THINGS, L.THINGS, L.FOOD, L.ABSTRACT]))

    def object(self) -> list[str]:
        roll = self.rng.random()
        if roll < 0.12:
            return [self.pick(OBJECT_PRONOUNS)]
        if roll < 0.22:
            return [self.pick(L.NAMES)]
        if roll < 0.35:
            return self.noun_phrase(L.PEOPLE)
        return self.thing()

    def subject(self) -> tuple[list[str], str]:
        roll = self.rng.random()
        if roll < 0.6:
            pronoun = self.pick(list(PRONOUNS))
            return [pronoun], PRONOUNS[pronoun]
        if roll < 0.8:
            return [self.pick(L.NAMES)], "3s"
        return [self.pick(["my", "your", "our", "the"]), self.pick(L.PEOPLE)], "3s"

    def time(self, tense: str = "") -> list[str]:
        """A time expression that fits the tense ("past" or a future form; "" = any)."""
        roll = self.rng.random()
        if tense in TIME_WORDS and roll < 0.8:
            return self.pick(TIME_WORDS[tense]).split("_")
        if roll < 0.7:
            return self.pick(L.TIMES).split("_")
        if roll < 0.85:
            return ["on", self.pick(L.WEEKDAYS)]
        return ["in", self.pick(L.MONTHS)]

    def place(self) -> list[str]:
        if self.maybe(0.25):
            return ["in", self.pick(L.CITIES)]
        return [self.pick(["at", "to", "near", "in", "from"]), "the", self.pick(L.PLACES)]

    def verb_phrase(self, person: str) -> list[str]:
        """A finite verb in a random tense, with its object when transitive, and maybe a time that fits."""
        transitive = self.maybe(0.7)
        base = self.pick(list(TRANSITIVE if transitive else INTRANSITIVE))
        past, participle = (TRANSITIVE if transitive else INTRANSITIVE)[base]
        tense = self.pick(["present", "past", "past", "future", "progressive", "going", "perfect", "negative"])
        words = {"present": [third_person(base) if person == "3s" else base], "past": [past],
                 "future": ["will", base], "progressive": [BE[person], gerund(base)],
                 "going": [BE[person], "going", "to", base],
                 "perfect": ["has" if person == "3s" else "have", participle],
                 "negative": [self.pick(["didn't", "won't", "doesn't" if person == "3s" else "don't"]), base]}[tense]
        if transitive:
            words += self.object()
        elif self.maybe(0.5):
            words += self.place()
        return words + (self.time(tense) if self.maybe(0.4) else [])

    def infinitive(self) -> list[str]:
        if self.maybe(0.75):
            base = self.pick(list(TRANSITIVE))
            return [base, *self.object()]
        return [self.pick(list(INTRANSITIVE)), *(self.place() if self.maybe(0.5) else [])]

    def maybe_time(self, probability: float = 0.5) -> list[str]:
        return self.time() if self.maybe(probability) else []


def _frames(s: Sampler) -> list:
    """Sentence frames: callables returning (words, end punctuation)."""
    def travel():
        subject, person = s.subject()
        verb = s.pick(["went to", "moved to", f"{BE[person]} flying to", "will visit",
                       ("lives" if person == "3s" else "live") + " in"])
        return [*subject, verb, s.pick(L.CITIES), *s.maybe_time()], "."

    def clause():
        subject, person = s.subject()
        return [*subject, *s.verb_phrase(person)]

    return [
        lambda: (clause(), "."),
        lambda: (clause(), "."),
        lambda: (clause(), "!"),
        lambda: ([s.pick(["i need to", "i want to", "i have to", "i forgot to", "i'm going to", "i'd like to",
                          "we need to", "you should", "we should", "i might", "i can't"]), *s.infinitive(),
                  *s.maybe_time()], "."),
        lambda: ([s.pick(["can you", "could you", "will you", "would you", "did you", "do you want to",
                          "should we", "can we", "did he", "did she", "do they"]), *s.infinitive(),
                  *s.maybe_time()], "?"),
        lambda: (["please", *s.infinitive(), *s.maybe_time()], "."),
        lambda: (["don't forget to", *s.infinitive(), *s.maybe_time()], "!"),
        lambda: (["let's", *s.infinitive(), *s.maybe_time()], "!"),
        lambda: ([s.pick(["where is", "have you seen", "i can't find", "who took", "i lost"]),
                  s.pick(["my", "the", "your", "our"]), s.pick(L.THINGS)], "?"),
        lambda: ([s.pick(["the", "my", "your", "this", "that"]), s.pick(L.THINGS + L.FOOD + L.PLACES + L.EVENTS),
                  s.pick(["is", "was", "looks", "seems"]), *([s.pick(L.ADVERBS[:6])] if s.maybe(0.4) else []),
                  s.pick(L.ADJECTIVES)], "."),
        lambda: ([s.pick(["i think", "i hope", "i guess", "i heard", "i know", "i'm sure"]), *clause()], "."),
        lambda: (["thanks for the", s.pick(L.THINGS + L.FOOD + L.EVENTS + ["help", "advice", "update"])], "!"),
        lambda: (["see you at the", s.pick(L.PLACES + L.EVENTS), *s.time()], "!"),
        lambda: ([s.pick(L.INTERJECTIONS) + ",", *clause()], s.pick([".", "!"])),
        lambda: ([s.pick(["i'm", "we're", "you're", "they're", "he's", "she's", "i was", "we were"]),
                  *([s.pick(["so", "really", "very", "pretty", "too"])] if s.maybe(0.5) else []),
                  s.pick(L.ADJECTIVES), *s.maybe_time()], s.pick([".", "!"])),
        lambda: (["what time is the", s.pick(L.EVENTS), *s.maybe_time()], "?"),
        lambda: (["the", s.pick(L.EVENTS), s.pick(["is", "was", "starts", "ends"]),
                  *s.pick([s.time(), ["at the", s.pick(L.PLACES)]])], "."),
        lambda: (["i just", s.pick([v[0] for v in TRANSITIVE.values()]), *s.object()], s.pick([".", "!"])),
        lambda: ([s.pick(L.NAMES), "and i are", s.pick([gerund(v) for v in TRANSITIVE]), *s.thing(),
                  *s.maybe_time()], "."),
        lambda: (["are you coming to the", s.pick(L.EVENTS), *s.maybe_time(0.7)], "?"),
        lambda: (["i'll be at the", s.pick(L.PLACES), "in", s.pick(L.NUMBERS), "minutes"], "."),
        lambda: (["how was your", s.pick(L.EVENTS + ["day", "week", "weekend", "trip to " + s.pick(L.CITIES)])], "?"),
        lambda: (["i bought", s.pick(L.NUMBERS), *([s.pick(L.ADJECTIVES)] if s.maybe(0.4) else []),
                  plural(s.pick(L.THINGS)), *s.place()], "."),
        lambda: travel(),
        lambda: (["it's", s.pick(WEATHER), "in", s.pick(L.CITIES), *s.maybe_time()], "."),
        lambda: (["is the", s.pick(L.PLACES), "open", *s.pick([["on", s.pick(L.WEEKDAYS)], s.time()])], "?"),
        lambda: (["call me when you", s.pick(["get home", "are ready", "wake up", "get there", "are free",
                                              "finish the " + s.pick(L.EVENTS)])], "."),
        lambda: (["my", s.pick(L.PEOPLE), s.pick(["loves", "hates", "wants", "needs", "likes"]),
                  *s.noun_phrase(s.pick([L.FOOD, L.THINGS]))], "."),
        lambda: (["we had", s.pick(L.FOOD), "for", s.pick(["breakfast", "lunch", "dinner"]), *s.maybe_time()], "."),
        lambda: (["do you know where the", s.pick(L.PLACES), "is"], "?"),
    ]


def sentence(sampler: Sampler, frames: list) -> str:
    """One sentence: a frame's words, capitalized ("I", sentence start) and punctuated."""
    words, end = sampler.pick(frames)()
    text = " ".join(words)
    text = re.sub(r"\bi\b", "I", text)
    return text[0].upper() + text[1:] + end


def sentences(rng: random.Random):
    """An endless stream of sentences from `rng`."""
    sampler = Sampler(rng)
    frames = _frames(sampler)
    while True:
        yield sentence(sampler, frames)
