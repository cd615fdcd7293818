"""The procedure catalogue, versioned e-form definitions, drafts and dossiers."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.models import Centre
from calendars.clock import DeadlineState


class Procedure(models.Model):
    """A public-administration procedure (thủ tục hành chính), loaded from procedures/data."""

    class Field(models.TextChoices):
        CIVIL_STATUS = "civil_status", _("Hộ tịch")
        CERTIFICATION = "certification", _("Chứng thực")
        RESIDENCE = "residence", _("Cư trú")
        JUDICIAL_RECORDS = "judicial_records", _("Lý lịch tư pháp")
        BUSINESS_HOUSEHOLD = "business_household", _("Hộ kinh doanh")
        LAND = "land", _("Đất đai")
        CONSTRUCTION = "construction", _("Xây dựng")

    class OnlineLevel(models.TextChoices):
        FULL = "full", _("Toàn trình")
        PARTIAL = "partial", _("Một phần")

    code = models.CharField(_("mã thủ tục"), max_length=30, unique=True)
    slug = models.SlugField(_("đường dẫn"), max_length=80, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    field = models.CharField(_("lĩnh vực"), max_length=30, choices=Field.choices)
    rank = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    # 0 means "same working day" (with the afternoon cut-off, see procedures/deadlines.py).
    time_limit_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết (ngày làm việc)"))
    time_limit_note = models.CharField(_("ghi chú thời hạn"), max_length=255, blank=True)
    # A rule, not a number: free, flat, per copy, per page with tiers and a cap, online discount.
    fee_rule = models.JSONField(_("lệ phí"), default=dict)
    documents = models.JSONField(_("thành phần hồ sơ"), default=list)
    result_document = models.CharField(_("kết quả"), max_length=255)
    agency_kinds = models.JSONField(_("cơ quan tham gia"), default=list)
    non_territorial = models.BooleanField(_("không phụ thuộc địa giới hành chính"), default=True)
    online_level = models.CharField(_("dịch vụ công trực tuyến"), max_length=10, choices=OnlineLevel.choices)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=500, blank=True)
    # Folded name, code and field for diacritic-insensitive search.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("thủ tục")
        verbose_name_plural = _("thủ tục")
        ordering = ["rank", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(online_level__in=["full", "partial"]), name="procedure_online_level_valid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language: English when chosen and known, else Vietnamese."""
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def is_same_day(self) -> bool:
        return self.time_limit_days == 0

    def current_form(self):
        return self.forms.order_by("-version").first()


class FormDefinition(models.Model):
    """One version of a procedure's e-form. A new version is added, never edited, once a dossier uses it."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="forms")
    version = models.PositiveIntegerField(_("phiên bản"))
    definition = models.JSONField(_("định nghĩa"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mẫu đơn điện tử")
        verbose_name_plural = _("mẫu đơn điện tử")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="form_definition_unique_version"),
        ]

    def __str__(self):
        return f"{self.procedure.code} v{self.version}"


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Tại quầy")
    PAPER = "paper", _("Hồ sơ giấy")


class FilingBasis(models.TextChoices):
    """On what ground the person who files does so for the applicant: recorded on the draft when it
    is started (`services.filing_basis` decides it), carried to the dossier, printed on the receipt."""

    SELF = "self", _("Tự nộp")
    # A parent is a minor child's legal representative (Civil Code 2015, art. 136); the registry
    # shows the relation through the household (the head or the head's spouse, and a child).
    GUARDIAN = "guardian", _("Cha, mẹ nộp cho con chưa đủ 18 tuổi, là người đại diện theo pháp luật")
    # Anyone else files for an adult only with her authorisation (Civil Code 2015, art. 138): the
    # letter is uploaded when the draft starts and filed with the dossier.
    AUTHORISED = "authorised", _("Người đại diện theo ủy quyền, có giấy ủy quyền")
    COUNTER = "counter", _("Cán bộ một cửa nộp thay tại quầy")
    # No one stands at the counter: the clerk enters a signed paper application that came by post.
    POSTAL = "postal", _("Hồ sơ gửi qua bưu chính, có đơn ký của người nộp")
    # No longer given: any member of a household could file for any other before the two grounds
    # above. Kept so the dossiers filed on it still say what they were filed on.
    HOUSEHOLD = "household", _("Thành viên cùng hộ gia đình, căn cứ cũ")


class Draft(models.Model):
    """A dossier being filled in, saved server-side after every step so it survives a new device or login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="drafts")
    # The person the dossier is for: the owner, their minor child, the person who authorised them, or
    # a clerk's walk-in (or postal) citizen.
    applicant_citizen_id = models.CharField(_("số định danh người nộp"), max_length=12)
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    basis = models.CharField(
        _("căn cứ nộp thay"),
        max_length=10,
        choices=FilingBasis.choices,
        default=FilingBasis.SELF,
        db_default=FilingBasis.SELF,
    )
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # When the clerk recorded that the walk-in showed her papers and agreed to the registry look-up
    # (services.filing_basis); empty when her ticket at the clerk's counter was the ground.
    consent_at = models.DateTimeField(_("công dân đồng ý tra cứu lúc"), null=True, blank=True)
    # The authorisation letter (giấy ủy quyền) of an AUTHORISED draft, checked by the one upload
    # check and stored in the dossier's own folder: filed with the dossier as an attachment.
    letter = models.FileField(_("giấy ủy quyền"), max_length=255, blank=True, default="")
    letter_name = models.CharField(_("tên tệp giấy ủy quyền"), max_length=255, blank=True, default="")
    letter_content_type = models.CharField(max_length=50, blank=True, default="")
    state = models.JSONField(default=dict)  # formtools' wizard storage, as it is between requests
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.form} — {self.applicant_citizen_id}"

    @property
    def procedure(self) -> Procedure:
        return self.form.procedure


class Dossier(models.Model):
    """A dossier (hồ sơ) as filed: the form data frozen with the definition version it was filed under."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        PROCESSING = "processing", _("Đang xử lý")
        SUPPLEMENT = "supplement", _("Chờ bổ sung")
        DONE = "done", _("Đã có kết quả")
        RETURNED = "returned", _("Đã trả kết quả")
        REFUSED = "refused", _("Từ chối")
        STOPPED = "stopped", _("Dừng giải quyết")

    # <centre code>-<yymmdd>-<4-digit daily sequence>, e.g. 000.00.01.H26-261123-0007.
    code = models.CharField(_("mã hồ sơ"), max_length=50, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="dossiers")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="dossiers")
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices)
    # Who filed (submitted_by) files for the applicant on this ground; anything but SELF makes the
    # filer a "người nộp thay" on the receipt.
    # db_default too: bulk loaders (dashboard's COPY of a year of history) name their columns.
    filing_basis = models.CharField(
        _("căn cứ nộp thay"),
        max_length=10,
        choices=FilingBasis.choices,
        default=FilingBasis.SELF,
        db_default=FilingBasis.SELF,
    )
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    applicant_citizen_id = models.CharField(_("số định danh người nộp"), max_length=12, db_index=True)
    applicant_name = models.CharField(_("người nộp"), max_length=100)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers_submitted"
    )
    data = models.JSONField(_("nội dung tờ khai"))
    fee = models.PositiveIntegerField(_("lệ phí (đồng)"), default=0)
    received_at = models.DateTimeField(_("ngày tiếp nhận"))
    due_date = models.DateField(_("ngày hẹn trả"))
    # The deadline clock (kept by routing between agencies): the instant the result is due on the
    # working-hours calendar, moved later while the clock is paused for the citizen.
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    deadline_state = models.CharField(
        _("tiến độ"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.ON_TRACK
    )
    # Settled = a result issued or the dossier refused/stopped; on_time is fixed at that moment
    # and is what the on-time rate (settled on time ÷ settled) counts.
    settled_at = models.DateTimeField(_("ngày giải quyết xong"), null=True, blank=True)
    on_time = models.BooleanField(_("đúng hạn"), null=True, blank=True)
    # Filing writes the dossier and its number only; a worker then enters it in the books (its
    # timeline, the day's figures, its route, its receipt) and sets this. Empty = not yet entered.
    entered_at = models.DateTimeField(_("ngày vào sổ"), null=True, blank=True)
    # The draft it was filed from. Submit pressed twice on one draft (a double tap, or a retry after
    # an answer lost on a slow line) finds this dossier instead of filing a second one.
    # Printed on the receipt and sent with the confirmation: with the code, it opens the public
    # look-up. Random, unlike the citizen ID (structured, guessable from birth year and province).
    lookup_pin = models.CharField(_("mã tra cứu"), max_length=8, default="", db_default="", editable=False)
    draft_ref = models.UUIDField(_("hồ sơ nháp"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at"]
        indexes = [
            # The supervisor's figures: settled dossiers per centre and period, open ones by deadline.
            models.Index(fields=["centre", "settled_at"], name="dossier_centre_settled"),
            models.Index(fields=["deadline_state", "due_at"], name="dossier_state_due"),
            # Open dossiers (the workload and the due-soon/overdue lists) and late ones (the
            # drill-down from an on-time rate) are a small part of a centre's million: partial indexes.
            models.Index(
                fields=["centre", "procedure", "deadline_state"],
                condition=models.Q(settled_at__isnull=True),
                name="dossier_open",
            ),
            models.Index(
                fields=["settled_at", "centre"],
                condition=models.Q(on_time=False),
                name="dossier_late_settled",
            ),
            # The few dossiers filed and not yet entered, oldest first (procedures.services.dossiers_enter).
            models.Index(
                fields=["received_at"],
                condition=models.Q(entered_at__isnull=True),
                name="dossier_to_enter",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applicant_citizen_id__regex=r"^[0-9]{12}$"),
                name="dossier_applicant_citizen_id_12_digits",
            ),
        ]

    def __str__(self):
        return self.code


class DailySequence(models.Model):
    """The last dossier number a centre gave on a day; its row is locked while a number is taken."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="daily_sequence_unique_centre_day"),
            models.CheckConstraint(condition=models.Q(last__lte=9999), name="daily_sequence_four_digits"),
        ]

    def __str__(self):
        return f"{self.centre_id} {self.day}: {self.last}"


class Attachment(models.Model):
    """A document component (thành phần hồ sơ) uploaded with a dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    component = models.CharField(_("thành phần"), max_length=60)
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/")
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.name


class DossierEvent(models.Model):
    """One line of a dossier's timeline (what happened, when, by whom)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Nộp hồ sơ")
        RECEIPT = "receipt", _("Cấp giấy tiếp nhận và hẹn trả kết quả")
        STATUS = "status", _("Đổi trạng thái")
        HAND_BACK = "hand_back", _("Trả kết quả cho công dân")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Dossier.Status.choices)
    at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            # The receipt is recorded once even when its task runs twice.
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(kind="receipt"), name="dossier_event_one_receipt"
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def submitted(cls, dossier: Dossier) -> "DossierEvent":
        """The timeline's first line, unsaved: written when the dossier is entered in the books,
        and shown from the dossier itself until then."""
        return cls(
            dossier=dossier,
            kind=cls.Kind.SUBMITTED,
            status=Dossier.Status.RECEIVED,
            at=dossier.received_at,
            note=Channel(dossier.channel).label,
        )


class HandBack(models.Model):
    """The result given to the citizen: who handed it back, when, where and how (one per dossier).

    On paper the citizen signs the tracking book (form 07) at the counter; electronically the
    citizen downloads the signed result. The row is unique per dossier, so two clerks pressing
    "hand back" at once record it once.
    """

    class Method(models.TextChoices):
        PAPER = "paper", _("Nhận bản giấy, ký nhận tại quầy")
        DOWNLOAD = "download", _("Nhận bản điện tử")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="hand_back")
    method = models.CharField(_("hình thức trả"), max_length=10, choices=Method.choices)
    at = models.DateTimeField(_("trả lúc"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ trả"),
    )
    counter = models.ForeignKey(
        "queueing.Counter", on_delete=models.SET_NULL, null=True, blank=True, related_name="hand_backs"
    )
    receiver_name = models.CharField(_("người nhận"), max_length=100, blank=True)
    # True when the result exists as a signed electronic document (the index's digitised results).
    digital = models.BooleanField(_("kết quả điện tử"), default=False)

    class Meta:
        verbose_name = _("trả kết quả")
        verbose_name_plural = _("trả kết quả")

    def __str__(self):
        return f"{self.dossier_id} {self.method} {self.at:%Y-%m-%d %H:%M}"
