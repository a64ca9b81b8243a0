"""Example connector configs and a worked custom connector (:mod:`.csv_over_http`)."""

__all__: list[str] = []
