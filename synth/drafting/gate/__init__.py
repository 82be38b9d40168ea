"""The approval gate's checks on a draft, before a manager reviews it and at release.

`review` runs every guard over a draft's content against the inputs it was drafted from;
`guarding` gives it what the database knows (who wrote the sources, talent assessments, the
settings) and stores nothing; `release` builds the engineer-facing version from an
allow-list; `coverage` recomputes the facts of a synthesis that are never drafted.
"""
