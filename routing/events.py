"""What happens to dossiers on their route between agencies, told to whichever app reacts to it
(the dashboard's daily figures), so routing never writes another app's rows. Sent inside the
transaction that made the change (see procedures/events.py)."""

from django.dispatch import Signal

# dossier=Dossier: settled (result issued, refused or stopped) for the first time; its
# `settled_at` and `on_time` are set.
dossier_settled = Signal()
