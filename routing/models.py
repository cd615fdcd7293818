"""Processes per procedure (data), routing rules, step instances, the audit trail and the outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from divisions.models import Ward
from procedures.models import Dossier, Procedure


class Process(models.Model):
    """The route a procedure's dossiers take, loaded from routing/data/processes.yaml."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="process")
    description = models.CharField(_("mô tả"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quy trình")
        verbose_name_plural = _("quy trình")

    def __str__(self):
        return self.procedure.code


class StepDefinition(models.Model):
    class Kind(models.TextChoices):
        RECEPTION = "reception", _("Tiếp nhận")
        PROCESSING = "processing", _("Thẩm định, xử lý")
        APPROVAL = "approval", _("Phê duyệt, ký")
        RETURN = "return", _("Trả kết quả")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(_("mã bước"), max_length=50)
    name = models.CharField(_("tên bước"), max_length=200)
    kind = models.CharField(_("loại bước"), max_length=12, choices=Kind.choices)
    # Steps of one stage run in parallel; the next stage opens when all of them are done.
    stage = models.PositiveSmallIntegerField(_("giai đoạn"))
    agency_kind = models.CharField(_("loại cơ quan"), max_length=30, choices=Agency.Kind.choices)
    # Percent of the dossier's legal time limit this step may use.
    share = models.PositiveSmallIntegerField(_("tỷ lệ thời hạn (%)"))
    # [{"key": ..., "label": ...}]: what the officer may record when finishing the step.
    outcomes = models.JSONField(_("kết quả có thể"), default=list)
    # Check names (connectors) requested when the step opens: ["citizen_verify", ...]. Their
    # answers inform the officer; a failed or negative check never blocks the step.
    checks = models.JSONField(_("kiểm tra liên thông"), default=list, blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["process", "stage", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["process", "key"], name="step_definition_unique_key"),
            models.CheckConstraint(condition=models.Q(share__lte=100), name="step_definition_share_percent"),
        ]

    def __str__(self):
        return f"{self.process} {self.stage}:{self.key}"


class RoutingRule(models.Model):
    """Which agency takes a step. Rules are tried by position; the first that yields an agency wins.

    Empty lists and an empty ward match anything.
    """

    class Target(models.TextChoices):
        AGENCY = "agency", _("Cơ quan chỉ định")
        APPLICANT_WARD = "applicant_ward", _("Cơ quan cùng loại tại phường/xã nơi cư trú hiện nay")
        CENTRE_WARD = "centre_ward", _("Cơ quan cùng loại tại phường/xã nơi tiếp nhận")
        PROVINCE = "province", _("Cơ quan cấp tỉnh cùng loại")

    position = models.PositiveIntegerField(_("thứ tự"), unique=True)
    procedure_codes = models.JSONField(_("thủ tục"), default=list, blank=True)
    step_keys = models.JSONField(_("bước"), default=list, blank=True)
    agency_kinds = models.JSONField(_("loại cơ quan"), default=list, blank=True)
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target = models.CharField(_("chọn cơ quan"), max_length=20, choices=Target.choices)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quy tắc luân chuyển")
        verbose_name_plural = _("quy tắc luân chuyển")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target="agency") | models.Q(agency__isnull=False),
                name="routing_rule_agency_target_names_agency",
            ),
        ]

    def __str__(self):
        return f"#{self.position} → {self.target}"


class StepState(models.TextChoices):
    WAITING = "waiting", _("Chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đang xử lý")
    SUPPLEMENT = "supplement", _("Chờ công dân bổ sung")
    RETURNED = "returned", _("Trả lại để hoàn thiện")
    DONE = "done", _("Hoàn thành")
    REFUSED = "refused", _("Từ chối")


OPEN_STATES = [StepState.WAITING, StepState.ACCEPTED, StepState.SUPPLEMENT, StepState.RETURNED]


class DossierStep(models.Model):
    """One step of one dossier at one agency, with its own share of the deadline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    definition = models.ForeignKey(StepDefinition, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dossier_steps")
    stage = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=12, choices=StepState.choices, default=StepState.WAITING)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    outcome = models.CharField(max_length=50, blank=True)
    note = models.TextField(blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # While the citizen is asked for documents the clock is stopped from this instant.
    paused_at = models.DateTimeField(null=True, blank=True)
    missing = models.JSONField(default=list, blank=True)
    # When the step appeared in the agency's inbox (started_at is when its clock started).
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stage", "pk"]
        indexes = [models.Index(fields=["agency", "state", "due_at"], name="step_inbox")]
        constraints = [
            # A hand-off processed twice creates the step once.
            models.UniqueConstraint(fields=["dossier", "definition"], name="dossier_step_once"),
            models.CheckConstraint(
                condition=~models.Q(state="supplement") | models.Q(paused_at__isnull=False),
                name="dossier_step_supplement_is_paused",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id}:{self.definition.key}"

    @property
    def parallel_group(self) -> str:
        return f"{self.dossier_id}:{self.stage}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class StepAttachment(models.Model):
    step = models.ForeignKey(DossierStep, on_delete=models.CASCADE, related_name="attachments")
    # Stored by step_complete under a random name in the dossier's folder, as the citizen's files
    # are (uploads.storage); the officer's own file name is only the name shown.
    file = models.FileField(upload_to="steps/%Y/%m/")
    name = models.CharField(max_length=255)
    # As the upload check sniffed it: the download is typed by this, never by the client's claim.
    content_type = models.CharField(max_length=50, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Transition(models.Model):
    """One line of the audit trail. Append-only (a database trigger refuses UPDATE and DELETE).

    A hand-over between units also records whether the finished step was on time: together these
    rows are the process-control slip (form 06).
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="transitions")
    step = models.ForeignKey(DossierStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    from_unit = models.CharField(max_length=200, blank=True)
    to_unit = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    handover = models.BooleanField(default=False)
    step_due_at = models.DateTimeField(null=True, blank=True)
    step_on_time = models.BooleanField(null=True, blank=True)
    # The hand-off or action this line records: a retried action writes it once.
    key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.dossier_id} {self.from_state}→{self.to_state}"

    @property
    def to_label(self) -> str:
        """The state reached, in words: a step's state, or the dossier's for dossier-level lines."""
        labels = dict(Dossier.Status.choices) | dict(StepState.choices)
        if self.to_state == StepState.WAITING and not self.from_state:
            return _("Chuyển đến")
        return str(labels.get(self.to_state, self.to_state))


class OutboxMessage(models.Model):
    """A hand-off written in the same transaction as the state change it follows.

    The row is the hand-off: a routing worker, woken by the outbox relay after the commit, claims
    it (SKIP LOCKED), runs it and marks it done in one transaction, so it survives Redis being down
    or restarted empty, and a worker killed mid-way leaves it for the next one. Processing it twice
    has the effect of once.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        DONE = "done", _("Đã xử lý")
        DEAD = "dead", _("Lỗi, chờ xử lý thủ công")

    key = models.CharField(max_length=200, unique=True)
    topic = models.CharField(max_length=50)
    payload = models.JSONField(default=dict)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # After a failed attempt: not tried again before this (2, 4, 8 … s). Empty: due at once.
    retry_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(state="pending"), name="outbox_pending"),
        ]

    def __str__(self):
        return self.key
