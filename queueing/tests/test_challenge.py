"""Issue 18: a proof-of-work challenge on the anonymous forms — signed, short-lived, used once."""

import base64
import datetime
import json

import pytest

from queueing.challenge import MAX_NUMBER, challenge_issue, challenge_solve, challenge_verify
from queueing.services import QueueError

from .conftest import OPEN_NOW


def _tampered(payload: str, **changes) -> str:
    solved = json.loads(base64.b64decode(payload)) | changes
    return base64.b64encode(json.dumps(solved).encode()).decode()


def test_a_solved_challenge_passes_once(db):
    payload = challenge_solve(challenge_issue(now=OPEN_NOW))
    challenge_verify(payload=payload, now=OPEN_NOW)
    with pytest.raises(QueueError):
        challenge_verify(payload=payload, now=OPEN_NOW)  # replayed


def test_an_expired_challenge_is_refused(db):
    payload = challenge_solve(challenge_issue(now=OPEN_NOW))
    with pytest.raises(QueueError):
        challenge_verify(payload=payload, now=OPEN_NOW + datetime.timedelta(hours=1))


def test_a_wrong_number_a_forged_or_an_easier_challenge_is_refused(db):
    issued = challenge_issue(now=OPEN_NOW)
    payload = challenge_solve(issued)
    number = json.loads(base64.b64decode(payload))["number"]
    with pytest.raises(QueueError):
        challenge_verify(payload=_tampered(payload, number=(number + 1) % MAX_NUMBER), now=OPEN_NOW)
    # A client's own challenge (an easy one it knows the answer to) is not signed by the server.
    easy = challenge_issue(now=OPEN_NOW, max_number=1)
    with pytest.raises(QueueError):
        challenge_verify(payload=_tampered(challenge_solve(easy), signature="0" * 64), now=OPEN_NOW)
    for garbage in ("", "not base64!", base64.b64encode(b"[]").decode()):
        with pytest.raises(QueueError):
            challenge_verify(payload=garbage, now=OPEN_NOW)
    challenge_verify(payload=payload, now=OPEN_NOW)  # the genuine answer still works


def test_the_challenge_is_cheap_for_a_browser():
    """Small enough for an old phone: at most MAX_NUMBER hashes, about half of that on average."""
    assert MAX_NUMBER <= 20_000
    issued = challenge_issue(now=OPEN_NOW)
    assert issued["algorithm"] == "SHA-256"
    assert "?expires=" in issued["salt"]
