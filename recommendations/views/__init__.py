"""Pages of the recommendations app: ``subscriber`` and ``operations``."""
