"""统计事实 / the dated facts every statistic is computed from.

Each event becomes zero or more facts: ``(kind, key) = value`` from the event's business
time on. A statistic "as of D" takes, for each key, the latest fact before D. A fact's
value depends on its event alone — never on an earlier fact — so the interleaving of the
topics (which differs between the live run and a rebuild) cannot change the model.
"""

from services.publicity.projections.facts.model import RULES, Fact, facts_of, facts_of_recorded

__all__ = ["RULES", "Fact", "facts_of", "facts_of_recorded"]
