"""The demo of ``make run``: a small feed of realistic complaints (:mod:`.feed`) and three example
agency systems with their connectors (:mod:`.agencies`). Nothing else imports it."""
