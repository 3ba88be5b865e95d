"""Substring search that an index can serve, for Chinese as much as for English.

Chinese has no spaces between words, so people search by substring: "理发" must find
"义务理发进社区". PostgreSQL's trigram indexes need three characters, and a two-character query is
the usual case here, so each task keeps the set of every two-character window of its title and
description (``Task.search_grams``, upper-cased as ``icontains`` compares). A text that contains
the query contains each of the query's windows, so "holds all the query's windows" never loses a
match: on PostgreSQL a GIN index answers it, and the exact ``icontains`` test then runs on those
few rows only.
"""


def bigrams(text: str) -> list[str]:
    """Every distinct two-character window of ``text``, upper-cased, sorted."""
    folded = text.upper()
    return sorted({folded[i : i + 2] for i in range(len(folded) - 1)})


def task_grams(title: str, description: str) -> list[str]:
    return bigrams(f"{title}\n{description}")
