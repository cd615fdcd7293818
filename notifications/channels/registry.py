"""The channels in use, in order: the classes named by settings.NOTIFICATIONS_CHANNELS."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel


@cache
def _channels(paths: tuple[str, ...]) -> dict[str, Channel]:
    channels = {}
    for path in paths:
        channel = import_string(path)()
        channels[channel.name] = channel
    return channels


def channels() -> dict[str, Channel]:
    return _channels(tuple(settings.NOTIFICATIONS_CHANNELS))


def channel(name: str) -> Channel:
    try:
        return channels()[name]
    except KeyError:
        raise LookupError(f"notification channel {name!r} is not in NOTIFICATIONS_CHANNELS") from None
