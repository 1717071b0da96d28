"""REST endpoints of the tagging app: ``tagger`` (assignments, taggings) and ``review`` (agreement,
canonical tags)."""
