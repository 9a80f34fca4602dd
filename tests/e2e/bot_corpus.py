"""Articles for the Discord bot's end-to-end tests, written next to the bundled seed article.

* Three harbour reports each have a long sentence answering the same question, so the real
  answer to it is longer than Discord's 2,000 characters of content.
* The forum article quotes ``@everyone`` and real role and user mentions of the test
  guild, so an answer quoting it would ping people unless mentions are disabled.
* Council bulletins are new articles for a re-index to embed (with progress to report);
  bulletin 0 holds a fact nothing else in the corpus mentions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SEED_ARTICLE

LONG_QUESTION = "What did the Port Elmstead harbour commission approve?"
FORUM_QUESTION = "@everyone What will the Elmstead Courier remove from its reader forum?"
BULLETIN_QUESTION = "What colour will the Harrow Lane footbridge be painted?"
BULLETIN_FACT = "lilac"

# Three reports of the commission's Tuesday meeting, each with one long sentence on what it
# approved: an answer cites one sentence per passage, so the answer quotes all three.
HARBOUR_REPORTS = {
    "harbour-expansion.md": (
        "Port Elmstead harbour commission approves expansion plan",
        "https://example.com/elmstead/harbour-expansion",
        "The Port Elmstead harbour commission approved on Tuesday a plan to deepen the main "
        "shipping channel to fourteen metres, to build a second container berth along the "
        "northern breakwater, to replace the two oldest cranes with electric ones that can be "
        "powered from the shore grid, to rebuild the rail siding that links the container yard "
        "with the main line to the capital, and to open a training centre for dock workers next "
        "to the ferry terminal, arguing that without the work the port would lose the larger "
        "vessels that now call at rival harbours further down the coast, and with them several "
        "hundred jobs in the town and the customs office that moved to Elmstead only three years "
        "ago from the inland city of Corvale, where it had been since the nineteenth century.\n"
        "Work on the channel is due to start in the autumn and should be finished within four "
        "years, the commission said.\n",
    ),
    "harbour-budget.md": (
        "Port Elmstead harbour commission approves a 310 million euro budget",
        "https://example.com/elmstead/harbour-budget",
        "The Port Elmstead harbour commission also approved on Tuesday a budget of 310 million "
        "euros for the expansion, to be paid for by a loan from the regional development bank, "
        "by higher berthing fees for the largest container ships, by a contribution from the "
        "national ports fund and by the sale of two disused warehouses on the old quay, after "
        "the commission's finance officer told members that the port's income had grown for six "
        "years in a row and could carry the repayments even if cargo volumes fell back to the "
        "levels seen before the pandemic, a view that the two members who voted against the "
        "budget said was far too optimistic for a port whose two biggest customers have both "
        "said they are reviewing their contracts.\n"
        "Residents will be able to see the plans at the town hall until the end of April.\n",
    ),
    "harbour-noise.md": (
        "Port Elmstead harbour commission approves limits on night-time building work",
        "https://example.com/elmstead/harbour-noise",
        "In a separate vote on Tuesday, the Port Elmstead harbour commission approved new rules "
        "limiting night-time work on the northern breakwater to four nights a week, requiring "
        "contractors to use quieter pile-driving equipment near the houses of the Saltmarsh "
        "district, publishing noise measurements online every day and setting up a fund of two "
        "million euros to insulate the homes closest to the building site, a compromise that "
        "residents' groups said they could accept, although they would keep a close watch on the "
        "noise once the work begins and would ask the commission to stop it if the limits were "
        "broken more than twice in any month, or if the cracks that appeared in some walls last "
        "year came back.\n"
        "The commission meets again in June.\n",
    ),
}


def _harbour_report(title: str, url: str, body: str) -> str:
    return (
        f"---\ntitle: {title}\nsource: Elmstead Courier\npublished_at: 2024-03-14\n"
        f"url: {url}\n---\n{body}"
    )


FORUM = """---
title: Elmstead Courier tightens the rules of its reader forum
source: Elmstead Courier
published_at: 2024-02-02
url: https://example.com/elmstead/forum-rules
---
The Elmstead Courier said on Friday that it will remove posts in its reader forum that \
notify @everyone or @here, that tag the <@&{role_id}> team, or that ping its community \
editor <@{user_id}>, after a flood of such notifications drove readers away.
The newspaper said the forum had grown to twelve thousand members since it opened in 2019.
Its editor said readers could still write to the newsroom by email.
"""

_BULLETIN_TOPICS = [
    "the market square will host a spring fair with forty stalls",
    "the library on Mill Street will open on Sunday afternoons",
    "the number 12 bus will run every ten minutes in the morning",
    "the swimming pool will close for two weeks for repairs",
    "the recycling centre will accept old mattresses from May",
    "the school playing fields will get new floodlights",
    "the town museum will show old maps of the harbour",
    "the cycle path along the canal will be resurfaced",
]


def write_corpus(folder: Path, *, role_id: int, user_id: int) -> Path:
    """The bundled seed article plus the harbour reports and the forum article."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_ARTICLE, folder)
    for name, report in HARBOUR_REPORTS.items():
        (folder / name).write_text(_harbour_report(*report))
    (folder / "forum-rules.md").write_text(FORUM.format(role_id=role_id, user_id=user_id))
    return folder


def write_bulletins(folder: Path, count: int) -> None:
    """``count`` council bulletins as one .jsonl file (one article per line)."""
    import json

    lines = []
    for n in range(count):
        topics = [_BULLETIN_TOPICS[(n + k) % len(_BULLETIN_TOPICS)] for k in range(4)]
        body = " ".join(f"The council said {t}." for t in topics)
        if n == 0:
            body += (
                " The council will repaint the Harrow Lane footbridge in lilac, the colour "
                "chosen by the pupils of the nearby primary school."
            )
        lines.append(
            json.dumps(
                {
                    "title": f"Elmstead council bulletin {n}",
                    "source": "Elmstead Council",
                    "published_at": f"2024-04-{n % 28 + 1:02d}",
                    "url": f"https://example.com/elmstead/bulletin/{n}",
                    "body": body,
                }
            )
        )
    (folder / "bulletins.jsonl").write_text("\n".join(lines) + "\n")
