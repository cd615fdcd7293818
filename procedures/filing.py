"""One draft's e-form as both the wizard pages and the API walk it.

The steps that apply, earlier answers, prefill, the wallet, the centres offered and the last
step (freezing the answers and calling `services.dossier_submit`) live here once, so a dossier
filed from a phone app follows exactly the rules of the pages. Step data is kept in the draft
in formtools' storage format: a draft started on a phone can be finished on the site and back.
"""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.utils.translation import gettext as _

from agencies.models import Centre
from registry.base import population_registry
from registry.services import registry_read_record

from . import eforms, selectors, services
from .drafts import DraftStorage, draft_file_storage
from .models import Attachment, Dossier, Draft, FilingBasis
from .prefill.registry import prefill_values

# The attachment an authorised representative's letter is filed as.
LETTER_COMPONENT = "giay-uy-quyen"


def draft_storage(draft: Draft) -> DraftStorage:
    """The wizard's storage for a draft, outside a wizard request (the API)."""
    return DraftStorage(f"draft_{draft.pk}", SimpleNamespace(motcua_draft=draft), draft_file_storage())


def storage_save(draft: Draft, storage: DraftStorage) -> None:
    storage.save()


class Filing:
    def __init__(self, draft: Draft, storage):
        self.draft = draft
        self.storage = storage
        self.definition = draft.form.definition
        self.form_classes = dict(eforms.form_list(self.definition))
        self.steps_by_name = {step["name"]: step for step in self.definition["steps"]}
        self._prefill = None
        self._wallet_choices = None
        self._wallet_entries: list[selectors.WalletEntry] = []

    # --- which steps apply -------------------------------------------------
    def answers(self) -> dict:
        """Earlier steps' raw answers, without validating them (conditions must not recurse)."""
        answers = {}
        for step_name in self.steps_by_name:
            data = self.storage.get_step_data(step_name)
            if not data:
                continue
            for key in data:
                if key.startswith(f"{step_name}-"):
                    answers[key[len(step_name) + 1 :]] = data.get(key)
        return answers

    def step_shown(self, step_name: str) -> bool:
        cond = self.steps_by_name.get(step_name, {}).get("show_if")
        if not cond:
            return True
        return str(self.answers().get(cond["field"])) == str(cond["equals"])

    def steps(self) -> list[str]:
        """The steps that apply now, the review step last."""
        return [name for name in self.form_classes if name == eforms.REVIEW_STEP or self.step_shown(name)]

    # --- what each form gets ---------------------------------------------------
    @property
    def prefill(self) -> dict:
        if self._prefill is None:
            self._prefill = prefill_values(self.draft.applicant_citizen_id)
            self._read_record()
        return self._prefill

    def _read_record(self) -> None:
        """Someone else read the applicant's registry record (a clerk, or her representative): she
        sees it on her own page. A parent reading her child's is not recorded."""
        draft, procedure = self.draft, self.draft.procedure.name
        centre = draft.centre.name if draft.centre_id else ""
        if draft.basis == FilingBasis.COUNTER:
            unit, role = centre, _("Cán bộ một cửa")
            purpose = _("Nộp hồ sơ thay tại quầy: %(procedure)s") % {"procedure": procedure}
        elif draft.basis == FilingBasis.POSTAL:
            unit, role = centre, _("Cán bộ một cửa")
            purpose = _("Nhập hồ sơ gửi qua bưu chính: %(procedure)s") % {"procedure": procedure}
        elif draft.basis == FilingBasis.AUTHORISED:
            # A private person, not a unit: she must recognise whom she authorised, so the name shows.
            unit, role = services.filer_name(draft.owner), _("Người đại diện theo ủy quyền")
            purpose = _("Nộp hồ sơ thay theo giấy ủy quyền: %(procedure)s") % {"procedure": procedure}
        else:
            return
        registry_read_record(
            reader=draft.owner,
            citizen_id=draft.applicant_citizen_id,
            unit=unit,
            role=str(role),
            purpose=purpose,
        )

    def centres(self):
        """Where the dossier may be filed; None when a clerk files it at their own centre."""
        if self.draft.centre_id:
            return None
        procedure = self.draft.procedure
        centres = Centre.objects.select_related("ward").order_by("name")
        if procedure.non_territorial:
            return centres
        # A territorial procedure goes to the centre of the ward it concerns: the address the
        # definition names in `centre_from` (the temporary address, the land…), else the residence.
        ward = (
            self.answers().get(f"{self.definition['centre_from']}__ward")
            if "centre_from" in self.definition
            else None
        )
        if not ward:
            ward = (self.prefill.get("population_registry.address") or {}).get("ward")
        local = centres.filter(ward_id=ward) if ward else centres.none()
        return local if local.exists() else centres

    def wallet(self) -> list[tuple[str, str]]:
        if self._wallet_choices is None:
            # A representative files what the letter covers, with the papers she was given: the
            # person's earlier dossiers and results are not hers to browse.
            shown = self.draft.basis != FilingBasis.AUTHORISED
            self._wallet_entries = selectors.wallet_of(self.draft.applicant_citizen_id) if shown else []
            self._wallet_choices = [(entry.value, entry.label) for entry in self._wallet_entries]
        return self._wallet_choices

    def form_kwargs(self, step: str) -> dict:
        if step == eforms.REVIEW_STEP:
            return {"declaration": self.definition.get("declaration", ""), "centres": self.centres()}
        _initial, prefilled, notes = eforms.step_initial(self.steps_by_name.get(step, {}), self.prefill)
        return {"answers": self.answers(), "prefilled": prefilled, "notes": notes, "wallet": self.wallet()}

    def form_initial(self, step: str) -> dict:
        if step == eforms.REVIEW_STEP:
            centres = self.centres()
            address = self.prefill.get("population_registry.address") or {}
            if centres is not None:
                local = [c for c in centres if c.ward_id == address.get("ward")]
                return {"centre": str((local or list(centres))[0].pk)} if centres else {}
            return {}
        return eforms.step_initial(self.steps_by_name.get(step, {}), self.prefill)[0]

    def form(self, step: str, *, data=None, files=None) -> forms.Form:
        """The step's form as the wizard builds it (prefix = step name)."""
        return self.form_classes[step](
            data=data, files=files, prefix=step, initial=self.form_initial(step), **self.form_kwargs(step)
        )

    def stored_form(self, step: str) -> forms.Form:
        return self.form(step, data=self.storage.get_step_data(step), files=self.storage.get_step_files(step))

    # --- the end ---------------------------------------------------------------
    def submit(self, *, form_dict: dict[str, forms.Form], user) -> Dossier:
        """Freeze the valid forms' answers and file the dossier through `services.dossier_submit`."""
        services.filing_basis_holds(draft=self.draft, owner=user)
        data, files, reused = {}, {}, {}
        self.wallet()
        wallet = {entry.value: entry for entry in self._wallet_entries}
        for step_name, form in form_dict.items():
            if step_name == eforms.REVIEW_STEP:
                continue
            for name, value in form.cleaned_data.items():
                if hasattr(value, "read"):
                    files[name] = value
                elif (
                    name.endswith("__wallet")
                    and value
                    and not form.cleaned_data.get(name[: -len("__wallet")])
                ):
                    reused[name[: -len("__wallet")]] = wallet[value].as_attachment()
                data[name] = eforms.frozen(value)
        review = form_dict[eforms.REVIEW_STEP].cleaned_data
        centre = selectors.filing_centre(self.draft.centre_id or review["centre"])
        # The applicant's name is the registry's fact for the draft's citizen ID; only someone the
        # registry does not know (a clerk checked their papers) has it typed in.
        person = population_registry().lookup(self.draft.applicant_citizen_id)
        name = person.full_name if person else data.get("applicant__full_name", "")
        if self.draft.basis == FilingBasis.AUTHORISED:
            # The letter is in the dossier's folder already (services.draft_start): filed by reference.
            reused[LETTER_COMPONENT] = Attachment(
                file=self.draft.letter.name,
                name=self.draft.letter_name,
                content_type=self.draft.letter_content_type,
                size=self.draft.letter.size,
            )
        return services.dossier_submit(
            form=self.draft.form,
            centre=centre,
            channel=self.draft.channel,
            applicant_citizen_id=self.draft.applicant_citizen_id,
            applicant_name=name,
            submitted_by=user,
            data=data,
            files=files,
            reused=reused,
            draft=self.draft,
            filing_basis=self.draft.basis,
        )
