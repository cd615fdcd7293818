import datetime

from django.urls import reverse

from accounts.models import User
from portal.demo import DEMO_CITIZEN_ID
from procedures import eforms
from procedures.models import Procedure


def test_step_form_validation_rules(hanoi):
    step = {
        "name": "s",
        "fields": [
            {
                "name": "code",
                "type": "text",
                "label": "Mã",
                "pattern": "^[0-9]{4}$",
                "pattern_message": "Bốn chữ số.",
            },
            {"name": "when", "type": "date", "label": "Ngày", "min": "-1y", "max": "today"},
            {"name": "id", "type": "citizen_id", "label": "Số định danh"},
        ],
    }
    form_class = eforms.step_form_class(step)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    form = form_class(data={"code": "12a", "when": future, "id": "001088"})
    assert not form.is_valid()
    assert form.errors["code"] == ["Bốn chữ số."]
    assert "Ngày không được sau" in form.errors["when"][0]
    assert form.errors["id"]
    form = form_class(data={"code": "1234", "when": datetime.date.today().isoformat(), "id": DEMO_CITIZEN_ID})
    assert form.is_valid(), form.errors


def test_a_conditional_step_is_skipped_unless_its_answer_matches(catalogue, demo, client):
    procedure = Procedure.objects.get(slug="dang-ky-khai-tu")
    definition = procedure.current_form().definition
    definition["steps"][0]["fields"].append(
        {
            "name": "autopsy",
            "type": "yesno",
            "label": "Có giám định pháp y?",
            "required": False,
            "initial": False,
        }
    )
    definition["steps"].insert(
        1,
        {
            "name": "giam-dinh",
            "title": "Giám định",
            "show_if": {"field": "autopsy", "equals": True},
            "fields": [{"name": "report_number", "type": "text", "label": "Số kết luận"}],
        },
    )
    procedure.forms.create(version=2, definition=definition)
    client.force_login(User.objects.get(username=DEMO_CITIZEN_ID))
    url = client.post(reverse("procedures:start", args=[procedure.slug]))["Location"]
    page = client.get(url)
    assert "Bước 1/3" in page.content.decode()
    wizard = page.context["wizard"]
    data = {
        f"{wizard['management_form'].prefix}-current_step": "nguoi-chet",
        "nguoi-chet-deceased_id": "001058000123",
        "nguoi-chet-deceased_name": "Nguyễn Văn Bình",
        "nguoi-chet-death_date": datetime.date.today().isoformat(),
        "nguoi-chet-death_place": "Nhà riêng",
        "nguoi-chet-autopsy": "True",
    }
    page = client.post(url, data)
    assert "Bước 2/4" in page.content.decode()
    assert "Giám định" in page.content.decode()


def test_labels_follow_the_reader_language(catalogue):
    from django.utils import translation

    step = Procedure.objects.get(slug="dang-ky-khai-sinh").current_form().definition["steps"][0]
    assert eforms.label_of(step) == "Thông tin trẻ được khai sinh"
    with translation.override("en"):
        assert eforms.label_of(step) == "The child being registered"
        assert Procedure.objects.get(slug="dang-ky-khai-sinh").display_name == "Birth registration"
