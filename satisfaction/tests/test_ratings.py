import threading

import pytest
from django.db import connection

from dashboard.models import DailyFigure
from procedures.models import Dossier
from satisfaction.criteria import criteria, max_points
from satisfaction.models import Rating
from satisfaction.services import (
    RatingError,
    answers_clean,
    dossier_from_token,
    rating_link_token,
    rating_submit,
)


def _answers(points=2, **overrides):
    answers = {c.key: points for c in criteria()}
    answers.update(overrides)
    return answers


def test_nine_indicators_of_two_points_make_18():
    assert len(criteria()) == 9
    assert max_points() == 18
    assert sum(answers_clean(_answers()).values()) == 18


def test_every_indicator_must_be_answered_with_a_point_of_the_scale():
    with pytest.raises(RatingError) as missing:
        answers_clean(_answers(conduct=""))
    assert "Thái độ" in missing.value.message
    with pytest.raises(RatingError):
        answers_clean(_answers(visits=3))


def test_a_rating_totals_its_answers_and_counts_in_the_daily_figures(make_done):
    dossier = make_done()
    rating = rating_submit(dossier=dossier, answers=_answers(2, visits=1, feedback=0), channel="web")
    assert rating.total == 15
    figure = DailyFigure.objects.get(centre=dossier.centre, ratings__gt=0)
    assert (figure.ratings, figure.rating_points) == (1, 15)


def test_no_rating_before_the_result(make_done):
    with pytest.raises(RatingError):
        rating_submit(dossier=make_done(status=Dossier.Status.PROCESSING), answers=_answers(), channel="web")


def test_one_rating_per_dossier(make_done):
    dossier = make_done()
    rating_submit(dossier=dossier, answers=_answers(), channel="web")
    with pytest.raises(RatingError):
        rating_submit(dossier=dossier, answers=_answers(0), channel="link")
    assert Rating.objects.filter(dossier=dossier).count() == 1


def test_the_signed_link_names_one_dossier_and_cannot_be_forged(make_done):
    dossier = make_done()
    token = rating_link_token(dossier=dossier)
    assert dossier_from_token(token) == dossier
    assert dossier_from_token(token[:-2] + "xx") is None


def test_rating_by_link_page_records_and_thanks(client, make_done):
    dossier = make_done()
    url = f"/danh-gia/{rating_link_token(dossier=dossier)}/"
    incomplete = client.post(url, {"total_time": "2"})
    assert incomplete.status_code == 400
    assert "Hãy chọn mức đánh giá" in incomplete.content.decode()
    response = client.post(url, _answers(1))
    assert response.status_code == 200
    assert Rating.objects.get(dossier=dossier).channel == "link"
    assert "9/18" in response.content.decode()
    assert client.get("/danh-gia/not-a-token/").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_ratings_of_one_dossier_record_one(make_done):
    dossier = make_done()
    barrier = threading.Barrier(4)
    outcomes = []

    def rate(points):
        from django.db import connections

        barrier.wait()
        try:
            rating_submit(dossier=Dossier.objects.get(pk=dossier.pk), answers=_answers(points), channel="web")
            outcomes.append("ok")
        except RatingError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(p % 3,)) for p in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert Rating.objects.filter(dossier=dossier).count() == 1
    assert sum(DailyFigure.objects.values_list("ratings", flat=True)) == 1


def test_the_citizen_finds_the_rating_on_their_dossier_page_and_rates_on_the_web(client, make_done):
    from accounts.models import User

    dossier = make_done()
    citizen = User.objects.create_user(username="lan", citizen_id=dossier.applicant_citizen_id)
    client.force_login(citizen)
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert f"/ho-so/{dossier.code}/danh-gia/" in page
    response = client.post(f"/ho-so/{dossier.code}/danh-gia/", _answers(2))
    assert response.status_code == 200
    assert Rating.objects.get(dossier=dossier).channel == "web"
