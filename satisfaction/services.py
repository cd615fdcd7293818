"""Recording a citizen's satisfaction rating. One transaction; one rating per dossier."""

from __future__ import annotations

import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Dossier, HandBack

from . import events
from .criteria import criteria, scale
from .models import Rating

TOKEN_SALT = "satisfaction.rating-link"
TOKEN_MAX_AGE = datetime.timedelta(days=90)
RATEABLE = (Dossier.Status.DONE, Dossier.Status.RETURNED)


class RatingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def rating_link_token(*, dossier: Dossier) -> str:
    """A token for the signed link a notification carries: it names the dossier and nothing else."""
    return signing.dumps({"dossier": dossier.code}, salt=TOKEN_SALT)


def dossier_from_token(token: str) -> Dossier | None:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return Dossier.objects.select_related("procedure", "centre").filter(code=payload.get("dossier")).first()


def answers_clean(raw: dict) -> dict[str, int]:
    """Every indicator answered with a point value of the scale, or a RatingError naming what is missing."""
    allowed = {points for points, _label in scale()}
    answers, missing = {}, []
    for criterion in criteria():
        value = raw.get(criterion.key)
        try:
            points = int(value)
        except (TypeError, ValueError):
            missing.append(criterion.label)
            continue
        if points not in allowed:
            missing.append(criterion.label)
            continue
        answers[criterion.key] = points
    if missing:
        raise RatingError(_("Hãy chọn mức đánh giá cho: %(items)s.") % {"items": "; ".join(missing)})
    return answers


def rating_submit(
    *,
    dossier: Dossier,
    answers: dict,
    channel: str,
    comment: str = "",
    at: datetime.datetime | None = None,
) -> Rating:
    """Record the rating of a dossier with a result. A second rating of the same dossier is refused
    by the database's unique constraint, also when two arrive at the same moment."""
    if dossier.status not in RATEABLE:
        raise RatingError(_("Hồ sơ chưa có kết quả; bạn có thể đánh giá sau khi nhận kết quả."))
    cleaned = answers_clean(answers)
    at = at or timezone.now()
    hand_back = HandBack.objects.filter(dossier=dossier).first()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                centre_id=dossier.centre_id,
                procedure_id=dossier.procedure_id,
                counter_id=hand_back.counter_id if hand_back else None,
                channel=channel,
                answers=cleaned,
                total=sum(cleaned.values()),
                comment=comment.strip()[:1000],
                created_at=at,
            )
            events.dossier_rated.send(sender=Rating, rating=rating)
    except IntegrityError as error:
        raise RatingError(_("Hồ sơ này đã được đánh giá. Cảm ơn bạn.")) from error
    return rating
