"""REST endpoints of the recommendations app: ``subscriber`` (me/…) and ``operations`` (status)."""
