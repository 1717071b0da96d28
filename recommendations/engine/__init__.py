"""The recommendation engine: numpy/scipy arrays in, arrays out. Imports neither Django nor any
model; ``recommendations.services`` loads from and stores to the database around it.

- ``vectors``: title vectors from canonical tags (IDF-weighted select tags, scaled ordinal levels,
  dimension weights) and the maturity levels used by exclusions;
- ``profiles``: subscriber profiles from history (rating-centred, recency-decayed, negative
  signal from dislikes and "not interested");
- ``scoring``: blocked matrix products, exclusions, top-k and genre diversity;
- ``explain``: a tag-based reason for every item and the named rows of a list.
"""
