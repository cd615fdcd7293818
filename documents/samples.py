"""One realistic example of every document, for looking at them and for the tests and the benchmark.

`manage.py document_samples` renders them all to var/samples/ (PDF and PNG).
"""

from __future__ import annotations

from .models import Document

_DOSSIER = {
    "dossier_code": "000.00.01.H26-261123-0007",
    "applicant_name": "Nguyễn Thị Lan",
    "applicant_address": "Số 12 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội",
    "procedure_name": "Cấp Giấy xác nhận tình trạng hôn nhân",
    "received_at": "2026-11-23T09:15:00+07:00",
    "due_at": "2026-11-26T16:00:00+07:00",
    "officer_name": "Trần Thu Hà",
}

SAMPLES: dict[str, tuple[str, dict]] = {
    # kind: (issuing agency's code prefix, context)
    Document.Kind.RECEIPT: (
        "TT",
        _DOSSIER
        | {
            "applicant_phone": "0912 345 678",
            "documents": [
                {"name": "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "form": "Bản điện tử", "count": 1},
                {"name": "Bản án ly hôn đã có hiệu lực pháp luật", "form": "Bản sao chứng thực", "count": 1},
            ],
            "fee": 10000,
            "time_limit": "03 ngày làm việc",
            "return_channel": "Trực tuyến (tải kết quả có chữ ký số) và Quầy số 1",
        },
    ),
    Document.Kind.SUPPLEMENT_REQUEST: (
        "TT",
        _DOSSIER
        | {
            "missing": [
                "Bản sao Quyết định công nhận thuận tình ly hôn (bản đã nộp bị mờ trang 2).",
                "Văn bản xác nhận tình trạng hôn nhân tại nơi cư trú trước đây (Phường Nghĩa Đô, 2015–2019).",
            ],
            "reason": "Cần xác minh tình trạng hôn nhân trong thời gian cư trú tại nơi khác.",
            "answer_within_days": 15,
            "contact_phone": "024 3100 1234",
        },
    ),
    Document.Kind.REFUSAL: (
        "TT",
        _DOSSIER | {"reasons": ["Yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã."]},
    ),
    Document.Kind.APOLOGY: (
        "TP",
        _DOSSIER
        | {
            "reason": "Chờ kết quả xác minh từ Ủy ban nhân dân Phường Nghĩa Đô.",
            "new_due_at": "2026-11-30T16:00:00+07:00",
            "signer_name": "Lê Minh Tuấn",
        },
    ),
    Document.Kind.STOP_NOTICE: (
        "TP",
        _DOSSIER
        | {
            "stopped_at": "2026-11-25",
            "reasons": ["Người yêu cầu đề nghị rút hồ sơ."],
            "return_place": "Quầy số 1, Trung tâm Phục vụ hành chính công phường Cầu Giấy",
            "signer_name": "Lê Minh Tuấn",
        },
    ),
    Document.Kind.PROCESS_CONTROL: (
        "TT",
        _DOSSIER
        | {
            "lead_agency": "Bộ phận Tư pháp - Hộ tịch UBND Phường Cầu Giấy",
            "partner_agencies": ["UBND Phường Nghĩa Đô"],
            "handovers": [
                {
                    "from_unit": "Bộ phận tiếp nhận và trả kết quả",
                    "from_person": "Trần Thu Hà",
                    "to_unit": "Tư pháp - Hộ tịch",
                    "to_person": "Lê Minh Tuấn",
                    "at": "2026-11-23T09:20:00+07:00",
                    "step_due": "2026-11-23",
                    "timeliness": "on_time",
                },
                {
                    "from_unit": "Tư pháp - Hộ tịch",
                    "from_person": "Lê Minh Tuấn",
                    "to_unit": "Lãnh đạo UBND phường",
                    "to_person": "Phạm Quang Huy",
                    "at": "2026-11-25T10:05:00+07:00",
                    "step_due": "2026-11-25",
                    "timeliness": "early",
                },
            ],
        },
    ),
    Document.Kind.MARITAL_STATUS: (
        "TP",
        {
            "full_name": "Nguyễn Thị Lan",
            "birth_date": "14/03/1988",
            "gender": "female",
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "citizen_id": "001188123456",
            "residence": "Số 12 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội",
            "marital_status": "single",
            "purpose": "Đăng ký kết hôn",
        },
    ),
    Document.Kind.BIRTH_EXTRACT: (
        "TP",
        {
            "child_name": "Trần Minh Khôi",
            "birth_date": "2026-11-02",
            "birth_date_words": "Ngày hai, tháng mười một, năm hai nghìn không trăm hai mươi sáu",
            "gender": "male",
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "birth_place": "Bệnh viện Phụ sản Hà Nội",
            "home_town": "Phường Cầu Giấy, Thành phố Hà Nội",
            "citizen_id": "001226004512",
            "mother_name": "Nguyễn Thị Lan",
            "mother_birth_year": 1988,
            "father_name": "Trần Văn Hùng",
            "father_birth_year": 1985,
            "parents_residence": "Số 12 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội",
            "registered_on": "2026-11-23",
        },
    ),
    Document.Kind.RESIDENCE_CONFIRMATION: (
        "CA",
        {
            "full_name": "Nguyễn Thị Lan",
            "gender": "female",
            "birth_date": "14/03/1988",
            "citizen_id": "001188123456",
            "permanent_address": "Số 12 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội",
            "head_name": "Nguyễn Thị Lan",
            "relation": "Chủ hộ",
            "members": [{"name": "Nguyễn Thị Lan", "birth_date": "14/03/1988", "relation": "Chủ hộ"}],
        },
    ),
    Document.Kind.CERTIFIED_COPY: (
        "TP",
        {
            "original_title": "Bằng tốt nghiệp đại học",
            "pages": 1,
            "original_issuer": "Trường Đại học Quốc gia Hà Nội",
            "applicant_name": "Nguyễn Thị Lan",
            "book": "01/2026",
            "copies": 3,
            "fee": 6000,
            "signer_title": "Phó Chủ tịch UBND Phường Cầu Giấy",
        },
    ),
    Document.Kind.BUSINESS_HOUSEHOLD: (
        "KT",
        {
            "household_code": "01H8012345",
            "first_registered_on": "2024-05-06",
            "change_number": 1,
            "changed_on": "2026-11-23",
            "business_name": "Hộ kinh doanh Bánh cuốn Bà Lan",
            "business_address": "Số 12 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội",
            "trades": ["Nhà hàng và các dịch vụ ăn uống phục vụ lưu động (5610)"],
            "capital": 150000000,
            "owner_name": "Nguyễn Thị Lan",
            "owner_gender": "female",
            "owner_birth_date": "14/03/1988",
            "owner_ethnicity": "Kinh",
            "owner_nationality": "Việt Nam",
            "owner_citizen_id": "001188123456",
            "owner_address": "Số 12 Phố Phạm Văn Bạch, Phường Cầu Giấy, Thành phố Hà Nội",
        },
    ),
}


def sample_request(kind: str, *, centre_code: str = "000.00.01.H26", key_suffix: str = "sample"):
    """Ask for the sample document of `kind` (idempotent per key)."""
    from agencies.models import Agency

    from .services import document_request

    prefix, context = SAMPLES[kind]
    issuer = Agency.objects.get(code=f"{prefix}-{centre_code}")
    return document_request(
        key=f"{kind}:{key_suffix}",
        kind=kind,
        issuer=issuer,
        context=context,
        number=f"12/{kind[:4].upper()}",
        subject_ref=context.get("dossier_code", ""),
        holder_name=context.get("applicant_name")
        or context.get("full_name")
        or context.get("owner_name", ""),
    )
