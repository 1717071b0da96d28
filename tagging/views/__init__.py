"""Pages of the tagging app: ``tagger`` (queue, tag page) and ``review`` (editors)."""
