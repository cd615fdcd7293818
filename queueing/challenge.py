"""A proof-of-work challenge on the anonymous public forms (ALTCHA's scheme, self-hosted; issue 18).

The server hands out a salt (with its expiry inside), a secret number below `MAX_NUMBER` and the
SHA-256 of salt + number, signed with an HMAC. The browser (`static/js/proof-of-work.js`) tries
numbers until the hash matches and posts what it found; the server checks the signature, the
expiry, the hash, and that the salt was never used before. A person's browser pays a fraction
of a second once per form; a script that wants ten thousand numbers pays ten thousand times, and
cannot forge a cheaper challenge nor replay a solved one.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SpentChallenge
from .services import QueueError

ALGORITHM = "SHA-256"
# About 5,000 hashes on average: under 0.1 s on a desktop, a few tenths of a second on an old phone.
MAX_NUMBER = 10_000
# Long enough to fill in the booking form; a page shown again brings a new challenge.
LIFETIME = datetime.timedelta(minutes=30)


class ChallengeFailed(QueueError):
    pass


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _signature(challenge: str) -> str:
    key = f"queueing.challenge:{settings.SECRET_KEY}".encode()
    return hmac.new(key, challenge.encode(), hashlib.sha256).hexdigest()


def challenge_issue(*, now: datetime.datetime | None = None, max_number: int = MAX_NUMBER) -> dict:
    """A new challenge, as the browser script (and ALTCHA's widget) reads it."""
    now = now or timezone.now()
    expires = int((now + LIFETIME).timestamp())
    salt = f"{secrets.token_hex(12)}?expires={expires}"
    challenge = _sha256(f"{salt}{secrets.randbelow(max_number + 1)}")
    return {
        "algorithm": ALGORITHM,
        "challenge": challenge,
        "maxnumber": max_number,
        "salt": salt,
        "signature": _signature(challenge),
    }


def challenge_solve(challenge: dict) -> str:
    """What the browser script posts, found the same way (for tests and API clients)."""
    for number in range(challenge["maxnumber"] + 1):
        if _sha256(f"{challenge['salt']}{number}") == challenge["challenge"]:
            fields = ("algorithm", "challenge", "salt", "signature")
            solved = {**{k: challenge[k] for k in fields}, "number": number}
            return base64.b64encode(json.dumps(solved).encode()).decode()
    raise ValueError("no number solves this challenge")


def _refused() -> ChallengeFailed:
    return ChallengeFailed(
        _(
            "Trình duyệt chưa hoàn tất bước kiểm tra chống gửi tự động. Hãy bật JavaScript, chờ "
            "một giây rồi gửi lại."
        )
    )


def challenge_verify(*, payload: str, now: datetime.datetime | None = None) -> None:
    """Accept a solved challenge once: signed by us, not expired, the hash right, never seen before."""
    now = now or timezone.now()
    try:
        solved = json.loads(base64.b64decode(payload, validate=True))
        salt, challenge = str(solved["salt"]), str(solved["challenge"])
        number, signature = int(solved["number"]), str(solved["signature"])
        expires = int(salt.rsplit("?expires=", 1)[1])
    except (binascii.Error, ValueError, KeyError, IndexError, TypeError):
        raise _refused() from None
    genuine = hmac.compare_digest(signature, _signature(challenge))
    if not genuine or solved.get("algorithm") != ALGORITHM or not 0 <= number <= MAX_NUMBER:
        raise _refused()
    if expires <= now.timestamp() or not hmac.compare_digest(_sha256(f"{salt}{number}"), challenge):
        raise _refused()
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    try:
        with transaction.atomic():
            # Spent challenges are kept only until they would have expired anyway.
            SpentChallenge.objects.filter(expires_at__lte=now).delete()
            SpentChallenge.objects.create(salt_digest=_sha256(salt), expires_at=expires_at)
    except IntegrityError:
        raise _refused() from None
