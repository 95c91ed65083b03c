"""The embedded corpus's English lexicon, by word class (lemmas; inflections come from `grammar.py`).

Hand-picked everyday words of the kind people type on phones: about 1,400 lemmas which, with
plurals and verb forms, give a vocabulary of well over 2,000 word types. Written out here
rather than taken from an installed package because no package in the environment ships an
English word list with word classes, and a sentence grammar needs the classes.
"""
from __future__ import annotations

PEOPLE = """friend teacher doctor nurse boss neighbor cousin brother sister mother father uncle aunt
grandma grandpa wife husband girlfriend boyfriend kid baby son daughter coach manager student
driver pilot chef waiter lawyer dentist plumber roommate partner colleague classmate landlord
nephew niece guest stranger player singer artist writer author actor officer farmer baker
engineer developer designer editor reporter customer client tourist captain judge professor
doctor pharmacist mechanic cashier neighbor babysitter director producer photographer teammate
team family guy girl boy lady man woman parent child adult toddler teenager""".split()

THINGS = """phone laptop computer charger cable camera headphones speaker screen keyboard mouse tablet
watch clock lamp chair table desk sofa couch bed pillow blanket towel mirror window door key
wallet purse bag backpack suitcase umbrella jacket coat sweater shirt dress skirt hat scarf
glove sock shoe boot sneaker belt ring necklace bracelet glasses ticket passport license card
letter package box envelope notebook pen pencil marker book magazine newspaper map calendar
poster picture photo painting gift present candle flower plant tree bike car truck bus train
plane boat ship taxi scooter helmet ball bat racket guitar piano drum violin song album movie
show game puzzle toy doll ticket bottle cup mug glass plate bowl spoon fork knife pan pot oven
fridge microwave kettle toaster blender sink shower bathtub toilet soap shampoo toothbrush
toothpaste brush comb battery bulb fan heater radio television remote printer paper folder
file document report email message text note list receipt bill invoice contract form app
website password account video podcast playlist recipe menu order coupon sticker stamp
badge uniform costume mask tent blanket rope ladder hammer nail screw drill shovel bucket
basket fence gate roof wall floor ceiling stairs elevator garage driveway mailbox""".split()

FOOD = """pizza pasta burger sandwich salad soup bread toast butter cheese egg bacon sausage chicken
beef pork steak fish salmon tuna shrimp rice noodle potato tomato onion garlic carrot pepper
cucumber lettuce spinach broccoli corn bean pea mushroom apple banana orange lemon lime grape
strawberry blueberry cherry peach pear mango pineapple watermelon melon coconut avocado cake
cookie pie muffin donut cupcake brownie chocolate candy ice cream yogurt milk coffee tea juice
water soda beer wine cocktail smoothie cereal oatmeal pancake waffle honey jam sugar salt
flour sauce ketchup mustard mayo vinegar oil popcorn chips cracker nut almond peanut taco
burrito sushi curry dumpling omelet bagel croissant lasagna""".split()

PLACES = """park office school college university library museum hospital clinic pharmacy bank
store shop mall market supermarket bakery restaurant cafe bar pub club gym pool beach lake
river forest mountain hill village city town station airport harbor hotel motel apartment
house home kitchen bathroom bedroom garden yard balcony basement attic garage church temple
stadium theater cinema gallery zoo farm factory warehouse studio salon garage parking lot
street road highway bridge tunnel corner square campus classroom lab dorm camp island
desert valley coast downtown suburb neighborhood""".split()

EVENTS = """meeting party game match concert show movie class lecture exam test quiz interview
appointment dinner lunch breakfast brunch picnic trip vacation holiday weekend birthday wedding
funeral festival parade race marathon workout practice rehearsal lesson session call date
conference seminar workshop presentation deadline project assignment homework shift flight
ceremony reunion sale auction tour hike ride walk run""".split()

ABSTRACT = """idea plan problem question answer reason story news joke secret mistake chance choice
decision advice help favor luck time money weather traffic noise music art science history
math language english spanish french music health sleep dream memory future past truth
rule goal result score price cost deal job career business work life world nature energy
power peace love hope fear fun stress pain trouble issue update change progress success""".split()

ADJECTIVES = """good bad great nice fine awesome amazing terrible awful horrible wonderful beautiful
pretty ugly cute lovely big small huge tiny tall short long wide narrow thick thin heavy light
fast slow quick early late new old young fresh hot cold warm cool wet dry clean dirty empty
full busy free cheap expensive rich poor happy sad angry tired sleepy hungry thirsty sick
healthy strong weak brave scared nervous calm quiet loud noisy funny serious smart clever
stupid silly crazy weird strange normal simple easy hard difficult important interesting
boring exciting excited surprised worried ready sure sorry lucky glad proud lonely bored
friendly kind rude polite honest lazy careful dangerous safe famous popular favorite perfect
broken missing lost open closed dark bright sunny rainy cloudy windy snowy foggy sweet sour
salty spicy delicious tasty crispy soft smooth rough sharp red blue green yellow orange purple
pink brown black white gray golden silver fancy comfortable awkward annoying amazing huge
useful useless real fake whole entire final main special private public local foreign
modern ancient strict gentle patient curious jealous grateful upset confused""".split()

ADVERBS = """really very so too quite pretty always never often sometimes usually rarely already
still just almost finally actually probably definitely maybe honestly seriously totally
completely quickly slowly carefully easily happily quietly loudly together alone again soon
later now today tonight tomorrow yesterday here there everywhere somewhere outside inside
upstairs downstairs early""".split()

# verbs that take an object: base[:past[:participle]] where the past is irregular
TRANSITIVE = """see:saw:seen find:found:found take:took:taken bring:brought:brought buy:bought:bought
sell:sold:sold make:made:made get:got:gotten give:gave:given send:sent:sent read:read:read
write:wrote:written eat:ate:eaten drink:drank:drunk meet:met:met know:knew:known forget:forgot:forgotten
lose:lost:lost keep:kept:kept leave:left:left pay:paid:paid hear:heard:heard tell:told:told
teach:taught:taught catch:caught:caught hold:held:held build:built:built break:broke:broken
choose:chose:chosen draw:drew:drawn drive:drove:driven feed:fed:fed fix hit:hit:hit hang:hung:hung
hide:hid:hidden lend:lent:lent ride:rode:ridden ring:rang:rung shake:shook:shaken sing:sang:sung
steal:stole:stolen throw:threw:thrown wear:wore:worn win:won:won cut:cut:cut put:put:put
set:set:set shut:shut:shut spend:spent:spent understand:understood:understood
need want like love hate enjoy watch call visit help ask answer check clean cook wash open close
finish start order fill pack carry move push pull play try use miss pick fold paint print plant
follow invite join kick kiss like mention notice organize prepare protect recommend remember
repair replace return save share sign solve support test touch trust update upload download
delete install book cancel change charge deliver discuss explain fetch grab heat hug improve
mail post record rent rescue review sort stop wrap accept borrow collect compare copy count
cover decorate describe earn examine fry guess handle iron label measure mix offer paste pour
press pump rinse scan schedule search select serve shave spill stir store switch taste tidy
trim type unlock unpack water weigh wipe""".split()

INTRANSITIVE = """go:went:gone come:came:come run:ran:run swim:swam:swum sleep:slept:slept sit:sat:sat
stand:stood:stood fly:flew:flown fall:fell:fallen wake:woke:woken grow:grew:grown
arrive work walk dance laugh cry smile wait rest relax travel jump shop study exercise
hurry panic pray shout sneeze yawn complain agree apologize celebrate cheat chat listen
improve jog knock marry nod pause react retire sail skate ski snow rain hike bike paddle""".split()

NAMES = """Anna Ben Carla David Emma Frank Grace Henry Irene Jack Julia Kevin Laura Mark Nina Oscar
Paula Peter Rosa Simon Tina Victor Wendy Alex Maria Lucas Sofia Hugo Clara Felix Sarah Tom
Jessica Mike Emily Chris Olivia Daniel Sophie James Hannah Ryan Chloe Noah Mia Ethan Ava Liam
Zoe Adam Lily Jacob Ella Nathan Ruby Sam Amy Josh Kate Matt Lucy Nick Rachel Luke Megan Owen
Holly Dylan Grace Aaron Jenny Leo Fiona Max Helen Tyler Diana Eric Alice Sean Naomi Kyle Ivy""".split()

CITIES = """London Paris Berlin Madrid Rome Tokyo Boston Chicago Seattle Denver Austin Dallas Miami
Toronto Sydney Dublin Oslo Vienna Prague Lisbon Athens Cairo Mumbai Delhi Seoul Beijing Texas
Florida California Canada Mexico Spain Italy France Germany Japan Ireland Scotland Brazil
Chile Peru Egypt India China Australia Portland Atlanta Houston Phoenix Vegas Brooklyn""".split()

WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November December".split()
NUMBERS = "two three four five six seven eight nine ten twenty".split()
TIMES = """today tonight tomorrow yesterday later soon now this_morning this_afternoon this_evening
this_weekend next_week last_week last_night next_month last_month right_now every_day
on_Monday on_Friday on_Sunday on_the_weekend at_noon in_the_morning in_the_evening after_work
after_school before_lunch after_dinner""".split()
INTERJECTIONS = "oh wow hey yeah okay ok haha lol omg ugh well hmm yes no sure thanks please".split()
