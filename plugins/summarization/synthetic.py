"""The embedded summarization benchmark: generated news-like articles with abstractive summaries.

The toolkit has no network access, so its default summarization data is made by code. Each
article reports one event (a company takeover, a mayoral election, a storm, a football match):

* the first paragraph is background that names none of the event's facts, so Lead-3, the
  strong baseline of real news, is weak here;
* the facts (who, what, where, when, how much) are spread over the later paragraphs in shuffled
  order and one of several phrasings each, among distracting sentences that name decoy people,
  places, companies, numbers and dates of the same kinds;
* every person, company, city and storm name is made of random syllables, and valid/test names
  never occur in the training split, so a model must copy them from the article;
* the summary restates the facts in a fixed order per event type and in other words, so it is
  abstractive (many of its n-grams are not in the article) yet a function of the article.

Articles are pre-tokenized (punctuation is its own word), like the usual CNN/DailyMail release.
"""
from __future__ import annotations

import random

_DEFAULT_SIZES = {"train": 12000, "valid": 100, "test": 500}
_CONSONANTS, _VOWELS, _CODAS = "bdfgklmnprstvz", "aeiou", ["", "", "", "n", "r", "l", "s"]
_CITY_ENDINGS = ["", "ton", "burg", "port", "field", "ville"]
_ORG_SUFFIXES = "Group Holdings Systems Foods Motors Labs Industries Energy".split()
_MONTHS = "January February March April May June July August September October November December".split()
_PRODUCTS = [("solar panel", "solar panels"), ("frozen food", "frozen meals"), ("bicycle", "bicycles"),
             ("medical device", "medical devices"), ("toy", "toys"), ("furniture", "chairs and tables"),
             ("software", "computer programs"), ("shoe", "running shoes"), ("coffee", "coffee beans")]
_PARTIES = ["Green Party", "Labour Party", "Liberal Party", "Farmers Party", "Citizens Party", "Union Party"]
_MASCOTS = "Lions Rockets Eagles Wolves Sharks Bears Hawks Pirates".split()

# Each event: background sentences (lead), fact sentences (each a list of phrasings), distractors
# and the summary template. {slots} are filled from the event's facts; {d_*} slots are decoys.
_EVENTS = {
    "takeover": {
        "lead": ["It has been a busy year for companies that make {product_pl} .",
                 "Prices for raw materials have climbed since {year} , squeezing profits across the industry .",
                 "Many smaller firms have looked for larger partners to survive .",
                 "Investors have been waiting for months for news from the sector .",
                 "Demand for {product_pl} fell by {d_num} percent in {year} , according to trade figures .",
                 "{d_org} reported strong sales in {d_city} last quarter ."],
        "facts": [["{buyer} has agreed to pay {price} million dollars for {target} , the companies said .",
                   "{target} will be sold to {buyer} in a deal worth {price} million dollars ."],
                  ["{target} , which makes {product_pl} , is based in {city} .",
                   "Founded in {city} , {target} is known for its {product_pl} ."],
                  ["The agreement was signed on {month} {day} .",
                   "Both boards approved the sale on {month} {day} ."],
                  ["{first} {last} , the chief executive of {buyer} , called it a big step .",
                   "The deal is a big step , said {first} {last} , who runs {buyer} ."],
                  ["{buyer} said it would keep all {jobs} workers at {target} .",
                   "About {jobs} people work for {target} today , and none will lose their jobs ."]],
        "distractors": ["Shares of {d_org} rose {d_num} percent on {d_month} {d_day} .",
                        "Analyst {d_first} {d_last} of {d_org} said more deals are likely .",
                        "{d_org} , a rival based in {d_city} , made a failed offer last year .",
                        "The market for {product_pl} grew by {d_num} percent in {year} .",
                        "Neither company would say whether prices would change ."],
        "summary": "{buyer} will buy {city} {product} maker {target} for {price} million dollars . "
                   "chief executive {first} {last} said the deal was signed on {month} {day} . "
                   "all {jobs} jobs will be kept .",
    },
    "election": {
        "lead": ["Local elections were held across the country this spring .",
                 "Polls had shown a close race for weeks .",
                 "Housing and public transport were the main issues of the campaign .",
                 "Turnout was expected to be lower than in {year} .",
                 "Counting was delayed in {d_num} districts because of heavy rain .",
                 "{d_first} {d_last} , a professor at the University of {d_city} , predicted a surprise ."],
        "facts": [["{first} {last} received {pct} percent of the votes counted .",
                   "With {pct} percent of the vote , {first} {last} finished first ."],
                  ["The vote for mayor of {city} took place on {month} {day} .",
                   "Voters in {city} chose a new mayor on {month} {day} ."],
                  ["{r_first} {r_last} , the sitting mayor , admitted defeat late at night .",
                   "The sitting mayor , {r_first} {r_last} , said that he had lost ."],
                  ["{last} ran for the {party} .",
                   "{first} {last} is a member of the {party} ."],
                  ["During the campaign , {last} promised to build {homes} new homes .",
                   "The winner has pledged {homes} new homes within four years ."]],
        "distractors": ["{d_first} {d_last} , a professor at the University of {d_city} , said turnout was "
                        "{d_num} percent .",
                        "In the nearby town of {d_city} , {d_first} {d_last} kept her seat .",
                        "The last election , on {d_month} {d_day} , {year} , was won by a single vote .",
                        "Some voters waited {d_num} minutes in line .",
                        "Results from {d_num} polling stations were checked twice ."],
        "summary": "{first} {last} of the {party} was elected mayor of {city} on {month} {day} with {pct} "
                   "percent , beating {r_first} {r_last} . {last} has promised {homes} new homes .",
    },
    "storm": {
        "lead": ["Weather experts said the season has been unusually active .",
                 "Coastal towns had prepared for days , filling sandbags and closing roads .",
                 "Warm seas make storms stronger , scientists say .",
                 "The region was hit by {d_num} storms in {year} .",
                 "{d_first} {d_last} , a weather scientist from {d_city} , warned of high waves .",
                 "Many families left their homes before the weekend ."],
        "facts": [["Storm {storm} made landfall near {city} on {month} {day} .",
                   "On {month} {day} , Storm {storm} reached the coast close to {city} ."],
                  ["Winds of up to {speed} kilometers per hour were recorded .",
                   "The strongest gusts reached {speed} kilometers per hour ."],
                  ["More than {homes} homes lost power , the local utility said .",
                   "The utility said {homes} homes had no electricity ."],
                  ["{first} {last} , the regional governor , ordered schools to close .",
                   "Schools were shut on the orders of governor {first} {last} ."],
                  ["{evac} people were moved to shelters .",
                   "Shelters took in {evac} residents overnight ."]],
        "distractors": ["A smaller storm , {d_storm} , passed {d_city} without damage on {d_month} {d_day} .",
                        "{d_first} {d_last} , a weather scientist , said the sea was {d_num} degrees warmer "
                        "than usual .",
                        "Last year , {d_num} homes lost power in a similar storm .",
                        "Roads near {d_city} were closed as a precaution .",
                        "Insurance companies have not yet estimated the damage ."],
        "summary": "Storm {storm} hit {city} on {month} {day} with winds of {speed} kilometers per hour . "
                   "{homes} homes lost power and {evac} people went to shelters . "
                   "governor {first} {last} closed schools .",
    },
    "match": {
        "lead": ["The league season is entering its final weeks .",
                 "Both teams had struggled with injuries this season .",
                 "Both coaches had expected a hard fight .",
                 "The two clubs have met {d_num} times since {year} .",
                 "{d_first} {d_last} , a former player , said the title race is still open .",
                 "Fans had waited all week for the game ."],
        "facts": [["{first} {last} scored {goals} goals for the {city} {mascot} .",
                   "The {city} {mascot} got {goals} goals from {first} {last} ."],
                  ["The match against the {o_city} {o_mascot} ended {score_a} - {score_b} .",
                   "The {o_city} {o_mascot} lost {score_a} - {score_b} ."],
                  ["It was played on {month} {day} in front of {fans} fans .",
                   "A crowd of {fans} watched the game on {month} {day} ."],
                  ["Coach {c_first} {c_last} praised the defense .",
                   "{c_first} {c_last} , who coaches the {city} team , said the win was deserved ."]],
        "distractors": ["{d_first} {d_last} missed the game with an injury .",
                        "The {d_city} {d_mascot} play their next match on {d_month} {d_day} .",
                        "Ticket prices have risen by {d_num} percent this season .",
                        "The stadium in {d_city} holds {d_num} thousand people ."],
        "summary": "the {city} {mascot} beat the {o_city} {o_mascot} {score_a} - {score_b} on {month} {day} . "
                   "{first} {last} scored {goals} goals in front of {fans} fans . "
                   "coach {c_first} {c_last} praised the defense .",
    },
}
_NAME_SLOTS = ("first", "last", "r_first", "r_last", "c_first", "c_last", "d_first", "d_last", "city", "o_city",
               "d_city", "storm", "d_storm", "buyer_name", "target_name", "d_org_name")


class _Names:
    """Random-syllable names; names made for valid/test are never ones the training split used."""

    def __init__(self, rng: random.Random):
        self.rng, self.train_names, self.recording = rng, set(), True

    def word(self) -> str:
        rng = self.rng
        while True:
            syllables = rng.choice((2, 2, 3))
            name = "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))
            name = (name + rng.choice(_CODAS)).capitalize()
            if self.recording:
                self.train_names.add(name)
                return name
            if name not in self.train_names:
                return name


def _slots(rng: random.Random, names: _Names) -> dict:
    """Fresh facts and decoys for one article: every kind of value the templates can ask for."""
    slots = {key: names.word() for key in _NAME_SLOTS}
    slots["city"] += rng.choice(_CITY_ENDINGS)
    slots["d_city"] += rng.choice(_CITY_ENDINGS)
    for org in ("buyer", "target", "d_org"):
        slots[org] = f"{slots[org + '_name']} {rng.choice(_ORG_SUFFIXES)}"
    slots["product"], slots["product_pl"] = rng.choice(_PRODUCTS)
    slots["mascot"], slots["o_mascot"], slots["d_mascot"] = rng.sample(_MASCOTS, 3)
    month, d_month = rng.sample(_MONTHS, 2)
    score_b = rng.randint(0, 3)
    slots.update(
        month=month, day=rng.randint(1, 28), d_month=d_month, d_day=rng.randint(1, 28), year=rng.randint(1995, 2022),
        price=rng.randint(20, 950), jobs=f"{rng.randint(1, 9)},{rng.randint(0, 999):03d}", pct=rng.randint(51, 79),
        homes=f"{rng.randint(2, 90)},{rng.randint(0, 9)}00", party=rng.choice(_PARTIES), speed=rng.randint(90, 240),
        evac=f"{rng.randint(1, 40)},{rng.randint(0, 999):03d}", goals=rng.randint(2, 4), score_b=score_b,
        score_a=score_b + rng.randint(2, 4), fans=f"{rng.randint(5, 80)},{rng.randint(0, 999):03d}",
        d_num=rng.randint(3, 99), o_city=slots["o_city"] + rng.choice(_CITY_ENDINGS))
    return slots


def _article(rng: random.Random, names: _Names) -> tuple[str, str]:
    """(document, summary): paragraphs separated by blank lines, sentences by " . "."""
    event = _EVENTS[rng.choice(sorted(_EVENTS))]
    slots = _slots(rng, names)
    lead = rng.sample(event["lead"], 3)
    body = [rng.choice(phrasings) for phrasings in event["facts"]]
    body += rng.sample(event["distractors"], rng.randint(2, 4))
    rng.shuffle(body)
    paragraphs, cut = [lead], rng.randint(2, len(body) - 2)
    paragraphs += [body[:cut], body[cut:]]
    document = "\n\n".join(" ".join(sentence.format(**slots) for sentence in paragraph) for paragraph in paragraphs)
    return document, event["summary"].format(**slots)


def generate_corpus(seed: int = 1234, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Return {"train": [(document, summary), ...], "valid": [...], "test": [...]}.

    sizes default {"train": 12000, "valid": 100, "test": 500}; a split missing from ``sizes`` keeps
    its default. The same seed and sizes always give the same corpus.
    """
    sizes = {**_DEFAULT_SIZES, **(sizes or {})}
    rng = random.Random(seed)
    names = _Names(rng)
    corpus = {}
    for split in _DEFAULT_SIZES:
        names.recording = split == "train"
        corpus[split] = [_article(rng, names) for _ in range(sizes[split])]
    return corpus

