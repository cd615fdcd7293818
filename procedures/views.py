"""Pages of the catalogue, the e-form wizard, dossiers and assisted filing at the counter."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from formtools.wizard.views import SessionWizardView

from divisions.models import Ward
from documents.selectors import receipt_pdf_for
from queueing.selectors import services_for_procedure
from registry.citizen_id import validate_citizen_id
from requestlimits.rates import limit_page
from uploads.forms import CheckedFileField

from . import eforms, selectors, services
from .drafts import draft_file_storage
from .fees import fee_summary
from .filing import Filing
from .models import Channel, Dossier, Procedure
from .prefill.registry import source_label


def catalogue(request):
    query = request.GET.get("q", "")
    procedures = selectors.procedures_search(query)
    return render(request, "procedures/catalogue.html", {"procedures": procedures, "query": query})


def wards(request):
    """The ward options of one province, for the address picker (htmx)."""
    province = next((v for k, v in request.GET.items() if k.endswith("__province")), "")
    wards = Ward.objects.filter(province_id=province).order_by("name") if province.isdigit() else []
    return render(request, "procedures/_ward_options.html", {"wards": wards})


def procedure_detail(request, slug):
    procedure = get_object_or_404(Procedure, slug=slug)
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "fee": fee_summary(procedure.fee_rule),
            "children": selectors.children_in_care_of(request.user),
            "queues": services_for_procedure(procedure.code),
        },
    )


@login_required
@require_POST
def draft_start(request, slug):
    """A citizen starts (or resumes) filing, for herself or, as their parent, her child under 18."""
    procedure = get_object_or_404(Procedure, slug=slug)
    if not request.user.citizen_id:
        raise PermissionDenied
    applicant = request.POST.get("for") or request.user.citizen_id
    draft = services.draft_start(owner=request.user, procedure=procedure, applicant_citizen_id=applicant)
    return redirect("procedures:draft", draft_id=draft.pk)


class AuthorisedStartForm(eforms.AccessibleErrorsMixin, forms.Form):
    citizen_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân của người ủy quyền"),
        max_length=14,
        validators=[validate_citizen_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = eforms.TextAnswer(
        label=gettext_lazy("Họ, chữ đệm và tên của người ủy quyền"),
        help_text=gettext_lazy("Ghi đúng như trên giấy ủy quyền."),
        max_length=100,
    )
    # The one upload check (uploads.checks): type sniffed from the bytes, size, PDF pages, virus scan.
    letter = CheckedFileField(
        label=gettext_lazy("Giấy ủy quyền"),
        help_text=gettext_lazy(
            "Bản quét hoặc ảnh chụp giấy ủy quyền có chữ ký của người ủy quyền: PDF, JPEG hoặc PNG."
        ),
    )

    def clean_citizen_id(self):
        return "".join(self.cleaned_data["citizen_id"].split())


@login_required
def authorised_start(request, slug):
    """A citizen files for another person as her authorised representative, with the letter."""
    procedure = get_object_or_404(Procedure, slug=slug)
    if not request.user.citizen_id:
        raise PermissionDenied
    form = AuthorisedStartForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.draft_start(
                owner=request.user,
                procedure=procedure,
                applicant_citizen_id=form.cleaned_data["citizen_id"],
                applicant_name=form.cleaned_data["full_name"],
                letter=form.cleaned_data["letter"],
            )
        except services.FilingNotAllowed as refused:
            form.add_error("citizen_id", str(refused))
        except services.ApplicantUnknown as unknown:
            form.add_error("citizen_id", str(unknown))
        else:
            return redirect("procedures:draft", draft_id=draft.pk)
    return render(request, "procedures/authorised_start.html", {"form": form, "procedure": procedure})


def _stash_key(draft_id) -> str:
    return f"procedures-draft-stash-{draft_id}"


class DossierWizard(SessionWizardView):
    """The one wizard that renders any procedure's e-form definition, saved server-side per step."""

    storage_name = "procedures.drafts.DraftStorage"
    template_name = "procedures/wizard.html"
    form_list = [("placeholder", forms.Form)]  # replaced per request by the draft's definition

    @property
    def file_storage(self):
        return draft_file_storage()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST":
                # The session expired mid-step: keep what was typed, in this browser's session only,
                # until the owner signs in again (see get()).
                request.session[_stash_key(kwargs["draft_id"])] = {
                    key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
                }
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        self.draft = selectors.draft_of(request.user, kwargs["draft_id"])
        if self.draft is None:
            filed = selectors.dossier_filed_from(request.user, kwargs["draft_id"])
            if filed is not None:  # Back, or Submit again, after filing: the receipt, not a 404
                return redirect("procedures:dossier_filed", code=filed.code)
            raise Http404
        request.motcua_draft = self.draft
        self.definition = self.draft.form.definition
        self.form_list = dict(eforms.form_list(self.definition))
        self.steps_by_name = {step["name"]: step for step in self.definition["steps"]}
        self.condition_dict = {
            name: self._step_condition(name) for name, step in self.steps_by_name.items() if "show_if" in step
        }
        return super().dispatch(request, *args, **kwargs)

    @property
    def filing(self) -> Filing:
        """The draft's rules (procedures/filing.py), shared with the API; built once storage exists."""
        if not hasattr(self, "_filing"):
            self._filing = Filing(self.draft, self.storage)
        return self._filing

    def get_prefix(self, request, *args, **kwargs):
        return f"draft_{kwargs['draft_id']}"

    @staticmethod
    def _step_condition(name):
        return lambda wizard: wizard.filing.step_shown(name)

    def get_form_kwargs(self, step=None):
        return self.filing.form_kwargs(step)

    def get_form_initial(self, step):
        return self.filing.form_initial(step)

    def get(self, request, *args, **kwargs):
        # Unlike formtools' default, a GET resumes the draft where it was left instead of resetting it.
        step = self.storage.current_step
        if step not in self.get_form_list():
            step = self.steps.first
        stash = request.session.pop(_stash_key(self.draft.pk), None)
        if stash and stash.get(f"{self.prefix}-current_step") == [step]:
            self.storage.set_step_data(step, stash)
        self.storage.current_step = step
        form = self.get_form(
            step, data=self.storage.get_step_data(step), files=self.storage.get_step_files(step)
        )
        return self.render(form)

    def render(self, form=None, **kwargs):
        if (
            form is not None
            and form.is_bound
            and not form.is_valid()
            and self.steps.current != eforms.REVIEW_STEP
        ):
            # Keep what was typed even if it does not validate yet: it must survive a lost session.
            self.storage.set_step_data(
                self.steps.current,
                {k: v for k, v in form.data.lists()} if hasattr(form.data, "lists") else dict(form.data),
            )
        return super().render(form, **kwargs)

    def _summary(self):
        sections = []
        for step_name in self.get_form_list():
            if step_name == eforms.REVIEW_STEP:
                continue
            form = self.get_form(
                step_name,
                data=self.storage.get_step_data(step_name),
                files=self.storage.get_step_files(step_name),
            )
            cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
            rows = []
            for name, field in form.fields.items():
                if name in cleaned and not (name.endswith("__wallet") and not cleaned[name]):
                    rows.append((field.label, eforms.display_value(form, name, cleaned.get(name))))
            sections.append(
                {"step": step_name, "title": eforms.label_of(self.steps_by_name[step_name]), "rows": rows}
            )
        return sections

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        procedure = self.draft.procedure
        context.update(
            {
                "draft": self.draft,
                "procedure": procedure,
                "step_title": eforms.label_of(self.steps_by_name.get(self.steps.current, {}))
                or _("Kiểm tra và nộp hồ sơ"),
                "is_review": self.steps.current == eforms.REVIEW_STEP,
                "prefill_source": source_label("population_registry."),
                "fee": fee_summary(procedure.fee_rule),
            }
        )
        if self.draft.channel != Channel.ONLINE:
            token = services.draft_handover_token(draft=self.draft)
            context["handover_url"] = self.request.build_absolute_uri(
                reverse("procedures:draft_take_over", args=[token])
            )
        if context["is_review"]:
            context["summary"] = self._summary()
        return context

    def done(self, form_list, form_dict, **kwargs):
        try:
            dossier = self.filing.submit(form_dict=form_dict, user=self.request.user)
        except services.DraftAlreadyFiled as filed:  # a double tap on Submit: both land on one receipt
            dossier = filed.dossier
        except services.FilingNotAllowed as refused:  # (changed since render_done asked): nothing reset
            raise PermissionDenied(str(refused)) from refused
        return redirect("procedures:dossier_filed", code=dossier.code)

    def render_done(self, form, **kwargs):
        """Before formtools re-validates the steps, files and resets the wizard: when the ground the
        draft was started on no longer holds, the check-your-answers page says why, and her answers
        stay in the draft (formtools resets its storage once `done` returns)."""
        try:
            services.filing_basis_holds(draft=self.draft, owner=self.request.user)
        except services.FilingNotAllowed as refused:
            form.add_error(None, str(refused))
            response = self.render(form)
            response.status_code = 403
            return response
        return super().render_done(form, **kwargs)


@login_required
def draft_take_over(request, token):
    """A citizen opens the one-time link a clerk gave them and continues the draft in their account."""
    draft = services.draft_take_over(token=token, user=request.user)
    if draft is None:
        return render(request, "procedures/handover_invalid.html", status=404)
    return redirect("procedures:draft", draft_id=draft.pk)


def _visible_dossier(request, code) -> Dossier:
    dossier = selectors.dossiers_visible_to(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


@login_required
def dossier_filed(request, code):
    dossier = _visible_dossier(request, code)
    return render(request, "procedures/filed.html", {"dossier": dossier})


@login_required
def dossier_detail(request, code):
    dossier = _visible_dossier(request, code)
    from routing.selectors import current_steps, timeline_of

    return render(
        request,
        "procedures/dossier.html",
        {
            "dossier": dossier,
            "filer_name": services.filer_name(dossier.submitted_by),
            "events": selectors.events_of(dossier),
            "routing_current": current_steps(dossier),
            "routing_timeline": timeline_of(dossier),
        },
    )


@login_required
def receipt(request, code):
    dossier = _visible_dossier(request, code)
    return render(
        request,
        "procedures/receipt.html",
        {
            "dossier": dossier,
            "filer_name": services.filer_name(dossier.submitted_by),
            "documents": dossier.procedure.documents,
            "attachments": dossier.attachments.all(),
            "signed_pdf": receipt_pdf_for(request.user, dossier_code=dossier.code),
        },
    )


@login_required
def my_dossiers(request):
    return render(
        request,
        "procedures/my_dossiers.html",
        {
            "dossiers": selectors.dossiers_of_citizen(request.user),
            "drafts": selectors.drafts_of(request.user),
        },
    )


class LookupForm(eforms.AccessibleErrorsMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã hồ sơ"), max_length=50)
    pin = forms.CharField(
        label=gettext_lazy("Mã tra cứu (8 chữ số, in trên giấy tiếp nhận)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


@limit_page("lookup")
def lookup(request):
    # POST, never GET: a PIN in a query string ends up in logs, history and Referer headers.
    form = LookupForm(request.POST or None)
    dossier, searched = None, False
    if form.is_valid():
        searched = True
        dossier = selectors.dossier_public_lookup(**form.cleaned_data)
    return render(request, "procedures/lookup.html", {"form": form, "dossier": dossier, "searched": searched})


class AssistedStartForm(eforms.AccessibleErrorsMixin, forms.Form):
    citizen_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân của công dân"),
        max_length=14,
        validators=[validate_citizen_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    procedure = forms.ModelChoiceField(
        label=gettext_lazy("Thủ tục"), queryset=Procedure.objects.all(), to_field_name="slug"
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Hình thức nộp"),
        choices=[
            (Channel.COUNTER, gettext_lazy("Tại quầy, khai trực tiếp")),
            (Channel.PAPER, gettext_lazy("Hồ sơ giấy, quét vào hệ thống")),
        ],
        widget=forms.RadioSelect,
        initial=Channel.COUNTER,
    )
    # Not needed when the citizen's ticket is being served at this clerk's counter; whether it is
    # needed is services.filing_basis's rule.
    consent = forms.BooleanField(
        label=gettext_lazy("Công dân đã xuất trình giấy tờ và đồng ý cho tra cứu"),
        required=False,
    )
    postal = forms.BooleanField(
        label=gettext_lazy("Hồ sơ gửi qua bưu chính: trong bì thư có đơn đề nghị có chữ ký của người nộp"),
        required=False,
    )

    def clean_citizen_id(self):
        # Whether the registry knows the number is services.filing_basis's rule, checked on start.
        return "".join(self.cleaned_data["citizen_id"].split())


@login_required
def assisted_start(request):
    """A counter clerk files on behalf of a walk-in citizen found by ID number, or enters a paper
    dossier that came by post."""
    centres = selectors.counter_centres_of(request.user)
    if not centres:
        raise PermissionDenied
    channel = Channel.PAPER if request.GET.get("kenh") == Channel.PAPER else Channel.COUNTER
    form = AssistedStartForm(
        request.POST or None, initial={"procedure": request.GET.get("thu_tuc"), "channel": channel}
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.draft_start(
                owner=request.user,
                procedure=form.cleaned_data["procedure"],
                applicant_citizen_id=form.cleaned_data["citizen_id"],
                channel=form.cleaned_data["channel"],
                consent=form.cleaned_data["consent"],
                postal=form.cleaned_data["postal"],
            )
        except services.FilingNotAllowed as refused:
            form.add_error("consent", str(refused))
        except services.ApplicantUnknown as unknown:
            form.add_error("citizen_id", str(unknown))
        else:
            return redirect("procedures:draft", draft_id=draft.pk)
    return render(
        request,
        "procedures/assisted_start.html",
        {"form": form, "centre": centres[0], "drafts": selectors.drafts_of(request.user)},
    )
