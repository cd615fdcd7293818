"""What happens in satisfaction, told to whichever app reacts to it (the dashboard's daily
figures). Sent inside the transaction that made the change (see procedures/events.py)."""

from django.dispatch import Signal

# rating=Rating: a citizen rated a dossier's handling.
dossier_rated = Signal()
