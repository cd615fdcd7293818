"""Routing follows what procedures says happens to a dossier (procedures/events.py), in the same
transaction: entering a dossier in the books starts its route, handing its result back at the
counter closes the route's last step. procedures never imports routing."""

from __future__ import annotations

from django.dispatch import receiver

from procedures.events import dossier_entering, dossier_handing_back

from . import actions, services


@receiver(dossier_entering, dispatch_uid="routing.route_start")
def start_the_route(*, dossier, **_kwargs) -> None:
    services.dossier_route_start(dossier=dossier)


@receiver(dossier_handing_back, dispatch_uid="routing.return_step_close")
def close_the_return_step(*, dossier, by, **_kwargs) -> None:
    actions.return_step_close(dossier=dossier, by=by)
