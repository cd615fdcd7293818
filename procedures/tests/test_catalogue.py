import copy

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from procedures.models import FormDefinition, Procedure
from procedures.selectors import procedures_search
from procedures.services import CATALOGUE_FILE, procedures_load


def test_top_twenty_loaded_with_their_rules(catalogue):
    assert Procedure.objects.count() == 20
    birth = Procedure.objects.get(slug="dang-ky-khai-sinh")
    assert birth.name == "Đăng ký khai sinh"
    assert birth.is_same_day
    assert birth.fee_rule == {"kind": "free"}
    assert birth.online_level == "full"
    judicial = Procedure.objects.get(code="2.000488")
    assert judicial.time_limit_days == 10
    assert judicial.agency_kinds == ["provincial_justice", "police"]
    copy_ = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    assert copy_.fee_rule["cap_per_copy"] == 200000
    assert copy_.online_level == "partial"
    assert all(p.documents for p in Procedure.objects.all())
    assert FormDefinition.objects.filter(version=1).count() == 20


def test_loading_twice_changes_nothing(catalogue):
    before = list(FormDefinition.objects.values_list("pk", "version"))
    call_command("procedures_load")
    assert list(FormDefinition.objects.values_list("pk", "version")) == before
    assert Procedure.objects.count() == 20


def test_a_changed_form_is_a_new_version(catalogue, tmp_path):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    changed["procedures"][0]["form"]["steps"][0]["fields"][0]["label"] = "Họ và tên của trẻ"
    path = tmp_path / "procedures.yaml"
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    procedures_load(path=path)
    birth = Procedure.objects.get(code=data["procedures"][0]["code"])
    assert list(birth.forms.values_list("version", flat=True).order_by("version")) == [1, 2]
    assert birth.current_form().definition["steps"][0]["fields"][0]["label"] == "Họ và tên của trẻ"
    # The old version is kept as it was: dossiers filed under it still render.
    assert birth.forms.get(version=1).definition["steps"][0]["fields"][0]["label"] != "Họ và tên của trẻ"


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "khai sinh", "Đăng ký khai sinh", "KHAI SINH", "1.001193"]
)
def test_search_with_or_without_diacritics(catalogue, query):
    assert "dang-ky-khai-sinh" in [p.slug for p in procedures_search(query)]


def test_search_words_narrow_down(catalogue):
    found = [p.slug for p in procedures_search("chung thuc")]
    assert set(found) == {
        "chung-thuc-ban-sao-tu-ban-chinh",
        "chung-thuc-chu-ky",
        "chung-thuc-hop-dong-giao-dich",
    }


def test_catalogue_and_detail_pages(catalogue, client):
    page = client.get(reverse("procedures:catalogue"), {"q": "tam tru"})
    html = page.content.decode()
    assert "Đăng ký tạm trú" in html
    assert "Đăng ký khai sinh" not in html
    detail = client.get(
        reverse("procedures:detail", args=["chung-thuc-ban-sao-tu-ban-chinh"])
    ).content.decode()
    assert "Bản chính giấy tờ cần chứng thực" in detail
    assert "tối đa 200.000 đ mỗi bản" in detail
    assert "Đăng nhập để nộp trực tuyến" in detail
