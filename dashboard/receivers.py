"""The dashboard's daily figures follow what the lower apps say happened (their events.py), in the
same transaction: procedures, routing and satisfaction never write the dashboard's rows."""

from __future__ import annotations

from django.dispatch import receiver

from procedures.events import dossier_handed_back, dossiers_entered
from routing.events import dossier_settled
from satisfaction.events import dossier_rated

from . import services


@receiver(dossiers_entered, dispatch_uid="dashboard.figures_received")
def count_received(*, dossiers, **_kwargs) -> None:
    services.figures_received(dossiers=dossiers)


@receiver(dossier_settled, dispatch_uid="dashboard.figures_settled")
def count_settled(*, dossier, **_kwargs) -> None:
    services.figures_settled(dossier=dossier)


@receiver(dossier_handed_back, dispatch_uid="dashboard.figures_returned")
def count_returned(*, hand_back, **_kwargs) -> None:
    services.figures_returned(hand_back=hand_back)


@receiver(dossier_rated, dispatch_uid="dashboard.figures_rated")
def count_rated(*, rating, **_kwargs) -> None:
    services.figures_rated(
        dossier=rating.dossier, at=rating.created_at, total=rating.total, counter_id=rating.counter_id
    )
