"""The words that dates are written with, and the words around them that decide a reading."""

from __future__ import annotations

# English names written out: calendar.month_name follows the process locale.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
MONTH_ABBREVIATIONS = tuple(name[:3] for name in MONTH_NAMES)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)} | {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAY_NUMBERS = {name.lower(): number for number, name in enumerate(WEEKDAY_NAMES)}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "a couple of": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
}
FUZZY_NUMBERS = {"a few", "few", "several"}
HOLIDAYS = {
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "boxing day": (12, 26),
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
}

# Words after which a bare month name is the month ("in March", "since May").
MONTH_LEADS = {
    "in", "since", "by", "until", "till", "from", "before", "after", "during", "through",
    "throughout", "to", "into", "for", "between",
}  # fmt: skip
# In a question, where "may" and "march" may be written in lower case, only these count.
MONTH_LEADS_LOWER = {"in", "since", "until", "till", "from", "before", "after", "during"}
# A four-digit number after these is a year whatever follows (unless a count noun does).
STRONG_YEAR_LEADS = {
    "in", "since", "until", "till", "before", "after", "during", "through", "throughout",
    "into", "circa", "between", "year", "spring", "summer", "autumn", "fall", "winter",
}  # fmt: skip
# After these it is a year unless a plural noun follows ("by 2000 votes", "of 2000 people").
WEAK_YEAR_LEADS = {"by", "from", "to", "for", "of", "around", "about", "than", "over", "under"}
# "the 2019 summit", "a 2020 war", "its 2018 report": the year describes the noun after it.
YEAR_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "that"}
# "2022 was the deadliest year": a year as the subject.
YEAR_VERBS = {"was", "is", "saw", "marked", "became", "brought", "will", "had", "has"}
COUNT_NOUNS = {
    "people", "persons", "troops", "soldiers", "police", "officers", "delegates", "members",
    "residents", "workers", "employees", "staff", "students", "children", "women", "men",
    "voters", "votes", "cases", "deaths", "lives", "homes", "houses", "jobs", "units",
    "vehicles", "cars", "ships", "vessels", "boats", "tonnes", "tons", "barrels", "pages",
    "words", "points", "dollars", "euros", "pounds", "rupees", "yen", "km", "kilometres",
    "kilometers", "miles", "metres", "meters", "feet", "hectares", "acres", "rockets",
    "missiles", "shells", "birds", "animals", "patients", "refugees", "migrants", "prisoners",
    "hostages", "candidates", "participants", "visitors", "tourists", "fans", "spectators",
    "seats", "beds", "flights", "passengers", "copies", "signatures", "protesters",
    "demonstrators", "families", "households", "companies", "firms", "times", "delegations",
    "sites", "schools", "villages", "attacks", "strikes", "drones", "rounds", "calls",
}  # fmt: skip
# Lower-case words ending in "s" that are not plural nouns, so may follow a year.
NOT_PLURALS = {
    "is", "was", "has", "as", "its", "this", "thus", "plus", "us", "unless", "across",
    "perhaps", "besides", "shows", "remains", "looks", "seems", "means", "marks", "says",
    "suggests", "includes", "begins", "starts", "ends", "comes", "goes", "does", "whereas",
}  # fmt: skip
# A weekday inside a name: "Good Friday Agreement", "Black Friday", "Super Tuesday".
WEEKDAY_NAME_WORDS = {
    "good", "black", "super", "cyber", "holy", "ash", "easter", "palm", "bloody", "maundy",
    "shrove", "giving", "manic", "blue",
}  # fmt: skip
WEEKDAY_NAME_FOLLOWERS = {
    "times", "telegraph", "mirror", "express", "post", "herald", "mail", "club", "school",
    "service", "trading", "league", "people", "independent", "observer", "sport",
}  # fmt: skip
WEEKDAY_LEADS = {
    "on", "since", "by", "until", "till", "from", "before", "after", "of", "last", "this",
    "next", "coming",
}  # fmt: skip
# In a question, "since 2020" is an open range; these words set its bounds.
LOWER_BOUNDS = {"since", "from", "after"}
UPPER_BOUNDS = {"before", "until", "till", "by"}
# Prepositions removed from the question's search text together with the time phrase.
SPAN_LEADS = {
    "in", "on", "at", "during", "since", "from", "after", "before", "until", "till", "by",
    "through", "throughout", "over", "within", "for",
}  # fmt: skip
