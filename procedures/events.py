"""What happens to dossiers at filing and at the counter, told to whichever app reacts to it (the
dashboard's daily figures), so procedures never writes another app's rows.

Django signals, sent inside the transaction that made the change: a receiver that writes rows
writes them with it, or not at all if it rolls back, and a receiver's failure fails the change (the
figures must be exact). Slow work does not belong in a receiver: it goes through the outbox.
"""

from django.dispatch import Signal

# dossiers=[Dossier, ...]: entered in the books, in one batch (one savepoint each; the list holds
# those that were). One signal per batch, so a receiver can write its rows once per batch, merged.
dossiers_entered = Signal()

# hand_back=HandBack: the result was handed to the citizen (dossier done → returned).
dossier_handed_back = Signal()
