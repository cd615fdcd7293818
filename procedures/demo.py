"""Demo data for procedures: the shipped catalogue (idempotent, like the rest of the demo)."""

from .services import procedures_load


def demo_load() -> None:
    procedures_load()
