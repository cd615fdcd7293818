"""Limits on what one client's requests may ask of MotCua: how often (rate limits, `rates.py`), counted
against whom (the client's address behind our proxies, `client_address.py`), and how deep a JSON
body may nest (`parsers.py`).

An app of their own rather than the project package's: procedures, queueing and documents call
them from their views, and an app may not import `portal`, which imports every app. The cap on a
body's size in bytes stays in `portal/middleware.py`: it answers before any app is reached, shares
the project's refusal page and /api/ JSON errors with the middleware beside it, and no app names it.
"""
