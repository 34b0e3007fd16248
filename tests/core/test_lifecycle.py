"""The docstatus lifecycle: draft → submitted (immutable) → cancelled → amended, with hooks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from school_logistics.core import controllers, services
from school_logistics.core.models import Document, NamingSeries, User, Version
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from tests.core.doctypes import FIELD_TEST, LIFECYCLE, install_all, snapshot
from tests.core.doctypes.hooks import HOOK_MARK, HOOKS, RecordingController


@pytest.fixture(autouse=True)
def recorder(db: None, monkeypatch: pytest.MonkeyPatch) -> RecordingController:
    """Install the test DocTypes and a recording controller for the lifecycle DocType only."""
    install_all()
    controller = RecordingController()
    monkeypatch.setitem(controllers._controllers, LIFECYCLE, controller)
    return controller


def create(actor: User, **values: Any) -> Document:
    return services.create_document(
        LIFECYCLE, {"subject": "更换三楼走廊灯管", "amount": "80", **values}, actor=actor
    )


def submitted(actor: User, **values: Any) -> Document:
    doc = create(actor, **values)
    return services.submit_document(LIFECYCLE, doc.name, actor=actor)


def cancelled(actor: User, **values: Any) -> Document:
    doc = submitted(actor, **values)
    return services.cancel_document(LIFECYCLE, doc.name, actor=actor)


def fresh(doc: Document) -> Document:
    return Document.objects.get(pk=doc.pk)


def actions(doc: Document) -> list[str]:
    return list(Version.objects.filter(document=doc).values_list("action", flat=True))


ROWS = [{"item_label": "灯管", "qty": 4, "amount": "60"}, {"item_label": "启辉器", "amount": "8"}]


# --- drafts ---------------------------------------------------------------------------------


def test_new_document_is_a_draft_with_the_total_the_controller_computed(users):
    doc = create(users["teacher"], rows=ROWS)
    stored = fresh(doc)
    assert stored.docstatus == DocStatus.DRAFT
    assert stored.name.startswith("LC-")
    assert stored.data["total"] == "148.00"
    assert actions(doc) == ["create"]


def test_input_cannot_overwrite_a_computed_field(users):
    doc = create(users["teacher"], total="99999")
    assert fresh(doc).data["total"] == "80.00"


def test_owner_edits_a_draft_and_the_total_follows(users):
    doc = create(users["teacher"])
    services.save_document(
        LIFECYCLE, doc.name, {"subject": "更换灯管", "rows": ROWS}, actor=users["teacher"]
    )
    stored = fresh(doc)
    assert stored.data["subject"] == "更换灯管"
    assert stored.title == "更换灯管"
    assert stored.data["total"] == "148.00"
    assert actions(doc) == ["create", "save"]


def test_saving_a_draft_without_changes_adds_no_version(users):
    doc = create(users["teacher"])
    services.save_document(
        LIFECYCLE, doc.name, {"subject": "更换三楼走廊灯管"}, actor=users["teacher"]
    )
    assert actions(doc) == ["create"]


def test_a_doctype_that_is_not_submittable_cannot_be_submitted(users):
    doc = services.create_document(FIELD_TEST, {"title": "不需要提交"}, actor=users["teacher"])
    before = snapshot()
    with pytest.raises(DocumentStateError, match="此类单据不需要提交"):
        services.submit_document(FIELD_TEST, doc.name, actor=users["teacher"])
    assert snapshot() == before


# --- submit ---------------------------------------------------------------------------------


def test_submit_runs_the_hooks_in_order_inside_the_transaction(users, recorder):
    doc = create(users["teacher"])
    recorder.calls.clear()
    services.submit_document(LIFECYCLE, doc.name, actor=users["teacher"])
    assert recorder.calls == [
        ("validate", DocStatus.DRAFT, True),
        ("before_submit", DocStatus.DRAFT, True),
        ("on_submit", DocStatus.SUBMITTED, True),
    ]
    assert fresh(doc).docstatus == DocStatus.SUBMITTED
    assert actions(doc) == ["create", "submit"]


def test_submitting_twice_is_refused_and_runs_no_hook(users, recorder):
    doc = submitted(users["teacher"])
    recorder.calls.clear()
    before = snapshot()
    with pytest.raises(DocumentStateError, match="只有草稿可以提交"):
        services.submit_document(LIFECYCLE, doc.name, actor=users["teacher"])
    assert snapshot() == before
    assert recorder.calls == []


def test_submitted_document_refuses_changes_naming_the_fields(users):
    doc = submitted(users["teacher"])
    before = snapshot()
    with pytest.raises(DocumentStateError) as exc:
        services.save_document(
            LIFECYCLE, doc.name, {"subject": "改事由", "amount": "1"}, actor=users["teacher"]
        )
    assert str(exc.value) == "已提交的单据不能修改：事由、金额"
    assert snapshot() == before


def test_submitted_document_refuses_changed_rows(users):
    doc = submitted(users["teacher"], rows=ROWS)
    before = snapshot()
    with pytest.raises(DocumentStateError, match="明细"):
        services.save_document(LIFECYCLE, doc.name, {"rows": ROWS[:1]}, actor=users["teacher"])
    assert snapshot() == before


def test_allow_on_submit_field_saves_after_submit_and_is_versioned(users):
    doc = submitted(users["teacher"])
    services.save_document(
        LIFECYCLE, doc.name, {"progress_note": "已通知维修工"}, actor=users["teacher"]
    )
    stored = fresh(doc)
    assert stored.docstatus == DocStatus.SUBMITTED
    assert stored.data["progress_note"] == "已通知维修工"
    version = Version.objects.filter(document=doc).last()
    assert version is not None
    assert version.action == "update_after_submit"
    assert version.actor == users["teacher"]
    assert version.diff == {"changed": [["progress_note", None, "已通知维修工"]]}


def test_echoing_the_stored_values_with_an_allow_on_submit_change_is_accepted(users):
    """A client that sends the whole document back (total and rows included) is not refused."""
    doc = submitted(users["teacher"], rows=ROWS)
    echoed = {**fresh(doc).data, "amount": "80", "progress_note": "材料已到"}
    services.save_document(LIFECYCLE, doc.name, echoed, actor=users["teacher"])
    stored = fresh(doc)
    assert stored.data["progress_note"] == "材料已到"
    assert stored.data["total"] == "148.00"
    assert [r["item_label"] for r in stored.data["rows"]] == ["灯管", "启辉器"]


def test_rows_echoed_in_input_form_are_not_taken_for_a_change(users):
    doc = submitted(users["teacher"], rows=ROWS)
    rows = [
        {"name": r["name"], "item_label": r["item_label"], "qty": str(r["qty"] or ""),
         "amount": r["amount"]}
        for r in fresh(doc).data["rows"]
    ]  # fmt: skip
    services.save_document(
        LIFECYCLE, doc.name, {"rows": rows, "progress_note": "已派工"}, actor=users["teacher"]
    )
    assert fresh(doc).data["progress_note"] == "已派工"


# --- cancel and amend -----------------------------------------------------------------------


def test_cancel_runs_on_cancel_and_keeps_the_document_for_the_record(users, recorder):
    doc = submitted(users["teacher"])
    recorder.calls.clear()
    services.cancel_document(LIFECYCLE, doc.name, actor=users["teacher"])
    assert recorder.calls == [("on_cancel", DocStatus.CANCELLED, True)]
    stored = fresh(doc)
    assert stored.docstatus == DocStatus.CANCELLED
    assert stored.data["subject"] == "更换三楼走廊灯管"
    assert actions(doc) == ["create", "submit", "cancel"]


def test_only_submitted_documents_can_be_cancelled(users):
    doc = create(users["teacher"])
    before = snapshot()
    with pytest.raises(DocumentStateError, match="只有已提交的单据可以作废"):
        services.cancel_document(LIFECYCLE, doc.name, actor=users["teacher"])
    assert snapshot() == before


def test_cancelled_document_cannot_be_edited_even_on_allow_on_submit_fields(users):
    doc = cancelled(users["teacher"])
    before = snapshot()
    with pytest.raises(DocumentStateError, match="已作废的单据不能修改"):
        services.save_document(
            LIFECYCLE, doc.name, {"progress_note": "补记"}, actor=users["teacher"]
        )
    assert snapshot() == before


def test_amend_copies_the_cancelled_document_into_a_draft_named_dash_one(users):
    original = cancelled(users["teacher"], rows=ROWS)
    amended = services.amend_document(LIFECYCLE, original.name, actor=users["teacher"])
    assert amended.name == f"{original.name}-1"
    assert amended.docstatus == DocStatus.DRAFT
    assert amended.amended_from == original.name
    assert amended.title == "更换三楼走廊灯管"
    new, old = fresh(amended).data, fresh(original).data
    assert [r["item_label"] for r in new["rows"]] == ["灯管", "启辉器"]
    assert {r["name"] for r in new["rows"]}.isdisjoint({r["name"] for r in old["rows"]})
    assert fresh(original).docstatus == DocStatus.CANCELLED
    version = Version.objects.get(document=amended)
    assert (version.action, version.diff) == ("amend", {"amended_from": original.name})


def test_the_amendment_goes_through_the_lifecycle_again(users):
    original = cancelled(users["teacher"])
    amended = services.amend_document(LIFECYCLE, original.name, actor=users["teacher"])
    services.save_document(LIFECYCLE, amended.name, {"amount": "95"}, actor=users["teacher"])
    services.submit_document(LIFECYCLE, amended.name, actor=users["teacher"])
    stored = fresh(amended)
    assert stored.docstatus == DocStatus.SUBMITTED
    assert stored.data["total"] == "95.00"


def test_a_document_is_amended_once(users):
    original = cancelled(users["teacher"])
    services.amend_document(LIFECYCLE, original.name, actor=users["teacher"])
    before = snapshot()
    with pytest.raises(DocumentStateError, match="此单据已被修订过"):
        services.amend_document(LIFECYCLE, original.name, actor=users["teacher"])
    assert snapshot() == before


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_only_cancelled_documents_can_be_amended(users, state):
    doc = create(users["teacher"]) if state == "draft" else submitted(users["teacher"])
    before = snapshot()
    with pytest.raises(DocumentStateError, match="只有已作废的单据可以修订"):
        services.amend_document(LIFECYCLE, doc.name, actor=users["teacher"])
    assert snapshot() == before


# --- delete ---------------------------------------------------------------------------------


def test_owner_deletes_a_draft_with_its_versions(users):
    doc = create(users["teacher"])
    services.delete_document(LIFECYCLE, doc.name, actor=users["teacher"])
    assert not Document.objects.filter(pk=doc.pk).exists()
    assert not Version.objects.filter(document_id=doc.pk).exists()


@pytest.mark.parametrize("state", ["submitted", "cancelled"])
def test_submitted_and_cancelled_documents_are_never_deleted(users, state):
    doc = submitted(users["teacher"]) if state == "submitted" else cancelled(users["teacher"])
    before = snapshot()
    with pytest.raises(DocumentStateError, match="只有草稿可以删除"):
        services.delete_document(LIFECYCLE, doc.name, actor=users["teacher"])
    assert snapshot() == before


def test_a_draft_that_was_amended_from_cannot_lose_its_amendment_chain(users):
    original = cancelled(users["teacher"])
    amended = services.amend_document(LIFECYCLE, original.name, actor=users["teacher"])
    services.delete_document(LIFECYCLE, amended.name, actor=users["teacher"])
    # The original may be amended again once its amendment is gone.
    again = services.amend_document(LIFECYCLE, original.name, actor=users["teacher"])
    assert again.name == f"{original.name}-1"


# --- a failing hook undoes everything -------------------------------------------------------


def _prepare(hook: str, actor: User) -> Document | None:
    """Bring a document to the state where `hook` runs next; None means "not yet created"."""
    if hook == "validate":
        return None
    if hook == "on_cancel":
        return submitted(actor)
    return create(actor)


def _act(hook: str, doc: Document | None, actor: User) -> None:
    if doc is None:
        create(actor, rows=ROWS)
    elif hook == "on_cancel":
        services.cancel_document(LIFECYCLE, doc.name, actor=actor)
    else:
        services.submit_document(LIFECYCLE, doc.name, actor=actor)


@pytest.mark.parametrize("hook", HOOKS)
def test_a_hook_that_raises_leaves_nothing_changed(users, recorder, hook):
    teacher = users["teacher"]
    create(teacher)  # the series exists, so a rolled-back counter would show
    doc = _prepare(hook, teacher)
    recorder.fail_in = {hook}
    before = snapshot()
    with pytest.raises(DocumentValidationError, match=f"钩子拒绝：{hook}"):
        _act(hook, doc, teacher)
    assert snapshot() == before
    assert not NamingSeries.objects.filter(prefix__startswith=HOOK_MARK).exists()
    assert hook in recorder.hooks()


def test_a_failing_validate_hook_refuses_a_draft_save(users, recorder):
    doc = create(users["teacher"])
    recorder.fail_in = {"validate"}
    before = snapshot()
    with pytest.raises(DocumentValidationError):
        services.save_document(LIFECYCLE, doc.name, {"subject": "新事由"}, actor=users["teacher"])
    assert snapshot() == before


def test_after_a_refused_create_the_next_name_is_still_consecutive(users, recorder):
    first = create(users["teacher"])
    recorder.fail_in = {"validate"}
    with pytest.raises(DocumentValidationError):
        create(users["teacher"])
    recorder.fail_in = set()
    second = create(users["teacher"])
    assert int(second.name[-4:]) == int(first.name[-4:]) + 1
    assert Decimal(fresh(second).data["total"]) == Decimal("80")
