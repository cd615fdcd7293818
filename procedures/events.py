"""What happens to dossiers at filing and at the counter, told to whichever app reacts to it
(routing starts and closes the route, the dashboard keeps its daily figures), so procedures never
imports those apps nor writes their rows.

Django signals, sent inside the transaction that made the change: a receiver that writes rows
writes them with it, or not at all if it rolls back, and a receiver's failure fails the change (the
figures must be exact). Slow work does not belong in a receiver: it goes through the outbox.
"""

from django.dispatch import Signal

# dossier=Dossier: being entered in the books, inside the savepoint that enters it (routing records
# the filing on its trail and queues the first hand-off). A receiver that fails leaves the dossier
# waiting for the next run, entered by nobody.
dossier_entering = Signal()

# dossiers=[Dossier, ...]: entered in the books, in one batch (one savepoint each; the list holds
# those that were). One signal per batch, so a receiver can write its rows once per batch, merged.
dossiers_entered = Signal()

# dossier=Dossier (locked), by=User|None: the result is being handed back, before the hand-back is
# recorded (routing closes its open "return the result" step, which may mark the dossier returned).
dossier_handing_back = Signal()

# hand_back=HandBack: the result was handed to the citizen (dossier done → returned).
dossier_handed_back = Signal()
