"""The embedded databases: a dozen small domains, each a few tables linked by foreign keys.

Every table has an integer primary key `id`; a column is (name, kind, values) with kind
"text" (values: a pool of words), "number" (values: an inclusive integer range) or "fk"
(values: the referenced table). Non-key column names are single words a question can use
literally; foreign-key names (`dept_id`) are never said, the model finds them in the schema.
The domains share word pools (names, cities, countries), as real databases share English.
"""
from __future__ import annotations

from dataclasses import dataclass

PEOPLE = ("Alice Bob Carol David Emma Frank Grace Henry Irene Jack Karen Liam Mia Noah Olivia Paul Quinn Rosa Sam "
          "Tina Umar Vera Walter Xena Yusuf Zoe Aaron Bella Chris Diana Ethan Fiona George Hannah Ivan Julia Kevin "
          "Laura Mark Nina Oscar Peter Rita Steve Tom Ursula Victor Wendy").split()
CITIES = "Paris London Berlin Madrid Rome Vienna Oslo Dublin Lisbon Prague Warsaw Athens Zurich Boston Chicago Denver Austin Seattle Toronto Sydney".split()
COUNTRIES = "France Germany Spain Italy Norway Ireland Portugal Greece Canada Japan Brazil Mexico India Egypt Kenya".split()
GENRES = "drama comedy horror fantasy history poetry science romance mystery thriller".split()
COLORS = "red blue green black white silver yellow orange".split()


@dataclass(frozen=True)
class TableSpec:
    name: str
    rows: int
    columns: tuple  # (name, kind, values)


@dataclass(frozen=True)
class Domain:
    name: str
    tables: tuple


DOMAINS = (
    Domain("company", (
        TableSpec("departments", 7, (("name", "text", "Sales Marketing Research Finance Legal Support Design Logistics".split()),
                                     ("city", "text", CITIES), ("budget", "number", (100, 900)))),
        TableSpec("employees", 40, (("name", "text", PEOPLE), ("age", "number", (21, 64)),
                                    ("salary", "number", (2000, 9000)), ("dept_id", "fk", "departments"))))),
    Domain("shop", (
        TableSpec("customers", 15, (("name", "text", PEOPLE), ("city", "text", CITIES), ("age", "number", (18, 80)))),
        TableSpec("products", 14, (("name", "text", "lamp chair desk sofa mirror shelf rug clock vase bed stool bench table cabinet".split()),
                                   ("category", "text", "furniture decor lighting storage".split()),
                                   ("price", "number", (5, 500)), ("stock", "number", (0, 120)))),
        TableSpec("orders", 45, (("quantity", "number", (1, 12)), ("year", "number", (2015, 2024)),
                                 ("customer_id", "fk", "customers"), ("product_id", "fk", "products"))))),
    Domain("school", (
        TableSpec("teachers", 10, (("name", "text", PEOPLE), ("subject", "text", "math physics chemistry biology art music history English".split()),
                                   ("salary", "number", (2500, 7000)))),
        TableSpec("students", 40, (("name", "text", PEOPLE), ("grade", "number", (1, 12)), ("age", "number", (6, 18)),
                                   ("teacher_id", "fk", "teachers"))))),
    Domain("music", (
        TableSpec("artists", 10, (("name", "text", PEOPLE), ("country", "text", COUNTRIES), ("debut", "number", (1960, 2020)))),
        TableSpec("albums", 35, (("title", "text", "Echoes Horizon Gravity Mirage Velvet Ember Aurora Nomad Tides Prism Static Halo Drift Canyon".split()),
                                 ("genre", "text", "rock jazz pop blues folk metal".split()), ("sales", "number", (1, 900)),
                                 ("year", "number", (1965, 2024)), ("artist_id", "fk", "artists"))))),
    Domain("sports", (
        TableSpec("teams", 8, (("name", "text", "Lions Tigers Eagles Sharks Wolves Bears Hawks Falcons Rangers".split()),
                               ("city", "text", CITIES), ("founded", "number", (1880, 2010)))),
        TableSpec("players", 40, (("name", "text", PEOPLE), ("position", "text", "goalkeeper defender midfielder forward".split()),
                                  ("age", "number", (17, 38)), ("goals", "number", (0, 40)), ("team_id", "fk", "teams"))))),
    Domain("movies", (
        TableSpec("studios", 8, (("name", "text", "Apex Lumen Orbit Summit Vertex Pioneer Beacon Cobalt".split()),
                                 ("country", "text", COUNTRIES), ("founded", "number", (1910, 2015)))),
        TableSpec("films", 40, (("title", "text", "Outpost Nightfall Rebound Undertow Skyline Firebrand Lowlands Eclipse Wildfire Afterglow Frontier Overdrive".split()),
                                ("genre", "text", GENRES), ("budget", "number", (1, 250)), ("year", "number", (1950, 2024)),
                                ("studio_id", "fk", "studios"))))),
    Domain("zoo", (
        TableSpec("zones", 7, (("name", "text", "north south east west river forest desert".split()), ("area", "number", (200, 5000)))),
        TableSpec("animals", 40, (("name", "text", PEOPLE), ("species", "text", "lion zebra otter panda tiger eagle camel bear wolf".split()),
                                  ("age", "number", (1, 30)), ("weight", "number", (2, 900)), ("zone_id", "fk", "zones"))))),
    Domain("cars", (
        TableSpec("makers", 8, (("name", "text", "Volta Norda Kestrel Ardent Solano Brisk Tundra Meridian".split()),
                                ("country", "text", COUNTRIES), ("founded", "number", (1900, 2010)))),
        TableSpec("cars", 40, (("model", "text", "Alpha Breeze Comet Dash Ember Falcon Glide Hornet Ion Jet".split()),
                               ("color", "text", COLORS), ("price", "number", (9000, 90000)), ("horsepower", "number", (70, 600)),
                               ("year", "number", (1995, 2024)), ("maker_id", "fk", "makers"))))),
    Domain("hotels", (
        TableSpec("towns", 8, (("name", "text", CITIES), ("country", "text", COUNTRIES), ("population", "number", (5000, 900000)))),
        TableSpec("hotels", 35, (("name", "text", "Grand Plaza Royal Harbor Garden Palace Central Park Regent Crown Summit Imperial".split()),
                                 ("stars", "number", (1, 5)), ("rooms", "number", (10, 400)), ("price", "number", (40, 600)),
                                 ("town_id", "fk", "towns"))))),
    Domain("flights", (
        TableSpec("airports", 10, (("code", "text", "CDG LHR TXL MAD FCO VIE OSL DUB LIS PRG WAW ATH".split()),
                                   ("city", "text", CITIES), ("country", "text", COUNTRIES))),
        TableSpec("flights", 40, (("airline", "text", "Skyway Aerolux Northwind Bluejet Swiftair Polaris".split()),
                                  ("distance", "number", (150, 9000)), ("price", "number", (30, 1500)),
                                  ("duration", "number", (1, 14)), ("origin_id", "fk", "airports"))))),
    Domain("library", (
        TableSpec("authors", 10, (("name", "text", PEOPLE), ("country", "text", COUNTRIES), ("born", "number", (1900, 1995)))),
        TableSpec("books", 35, (("title", "text", "Meadow Lantern Harbor Compass Orchard Riddle Quarry Ember Willow Atlas Cinder Marble".split()),
                                ("genre", "text", GENRES), ("pages", "number", (80, 900)), ("year", "number", (1950, 2024)),
                                ("author_id", "fk", "authors"))),
        TableSpec("members", 15, (("name", "text", PEOPLE), ("city", "text", CITIES), ("age", "number", (12, 85)))),
        TableSpec("loans", 45, (("days", "number", (1, 60)), ("book_id", "fk", "books"), ("member_id", "fk", "members"))))),
    Domain("hospital", (
        TableSpec("doctors", 10, (("name", "text", PEOPLE), ("specialty", "text", "surgery cardiology neurology pediatrics oncology radiology".split()),
                                  ("experience", "number", (1, 40)))),
        TableSpec("patients", 40, (("name", "text", PEOPLE), ("age", "number", (1, 95)), ("city", "text", CITIES),
                                   ("weight", "number", (3, 140)), ("doctor_id", "fk", "doctors"))))),
)

# Spider-style split by database: valid and test questions are asked of databases training never saw
SPLIT_DOMAINS = {"train": ("company", "shop", "school", "music", "sports", "movies", "zoo", "cars"),
                 "valid": ("hotels",),
                 "test": ("flights", "library", "hospital")}
