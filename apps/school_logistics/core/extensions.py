"""Extension points the engine offers to the layers above it, registered in their `ready()`.

The engine never imports workflow or printing; they tell it, through these lists, when a
document may not be submitted or edited by hand and what to show on its form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import BooleanField, ExpressionWrapper

if TYPE_CHECKING:
    from django.db.models import Exists, Q, QuerySet
    from django.http import HttpRequest

    from school_logistics.core.meta import Meta
    from school_logistics.core.models import Document, User

# Each returns a message saying why the document cannot be submitted directly, or None.
SubmitGuard = Callable[["Document"], "str | None"]
# Each returns a message saying why the document cannot be edited or deleted now, or None.
EditGuard = Callable[["Document"], "str | None"]
# Each is called inside the cancel transaction once a submitted document is cancelled, with who
# cancelled it (e.g. the workflow closes an approval still running on the document).
CancelHook = Callable[["Document", "User"], None]
# Each returns a condition true for a document whose approval is still running, so a list can
# show the step a submitted document waits at (e.g. 待验收) instead of just 已提交.
ApprovalRunning = Callable[[], "Exists"]
# Each returns HTML for a panel on the document's form (empty when it has nothing to show).
FormPanel = Callable[["HttpRequest", "Meta", "Document | None"], str]

# Each returns the fields a user is asked to complete on a document now, whatever their
# role's write right and the edit guards say (e.g. the approver of the current step).
FieldGrant = Callable[["Document", "User"], "frozenset[str]"]
# Each returns queries of the ids (one column each) of documents the user may read besides
# those their roles allow (e.g. a document waiting for their approval); it never widens any
# other right.
ReadGrant = Callable[["User"], "Iterable[QuerySet[Any]]"]

# Each says whether something (an approval flow) governs a DocType's documents in a school:
# then fields marked step_only are filled in only at the step that asks for them.
Governing = Callable[[str, int], bool]
governing: list[Governing] = []

# Each returns the badge (label, style) of a record that is never submitted, or None to leave
# it to the next (a supplier: whether its certificates are valid); a 停用 box comes first.
RecordStatus = Callable[["Meta", "Document"], "tuple[str, str] | None"]
record_statuses: list[RecordStatus] = []

submit_guards: list[SubmitGuard] = []
edit_guards: list[EditGuard] = []
# Each returns a message saying why a submitted document's allowed-on-submit fields may not
# change now (e.g. a repair ticket its reporter closed): the form shows it read-only.
after_submit_guards: list[EditGuard] = []
# Each returns a message saying why the document cannot be deleted (e.g. a ledger names it).
delete_guards: list[EditGuard] = []
cancel_hooks: list[CancelHook] = []
# Each sends a draft on its way when something governs its submission (e.g. starts its
# approval flow) and returns True; False leaves it to be submitted directly (`send_document`).
Sender = Callable[[str, str, "User"], bool]
senders: list[Sender] = []
approval_running: list[ApprovalRunning] = []
form_panels: list[FormPanel] = []
# Each returns HTML for a button beside 保存 on a new document's form (empty when none), e.g.
# one that saves the document and submits it for approval in the same step.
NewFormAction = Callable[["HttpRequest", "Meta"], str]
new_form_actions: list[NewFormAction] = []
# Each returns HTML for a button beside 保存 on a stored document's form (empty when none),
# e.g. 重新提交审批 on a draft returned to its requester: the main action, in the bar a phone
# keeps at the bottom of the screen.
FormAction = Callable[["HttpRequest", "Meta", "Document"], str]
form_actions: list[FormAction] = []
# Each returns HTML for a card at the top of the user's home page (empty when nothing to show).
HomePanel = Callable[["HttpRequest"], str]


class DeskLink(NamedTuple):
    """A page of a module that is not a DocType's list (e.g. 库存台账 under 物资)."""

    module: str
    label: str
    url: str
    icon: str


# Each returns the pages of this kind the user may open (none when they may not).
DeskLinks = Callable[["User"], "list[DeskLink]"]
desk_links: list[DeskLinks] = []

# Each returns, for a form about to show with these values, the values some Data fields must
# take now (e.g. the 预算科目 a department's budget has): shown as a required choice, not text.
FieldChoices = Callable[["Meta", "Document | None", "User", dict[str, Any]], dict[str, list[str]]]
field_choices: list[FieldChoices] = []


class BlankFill(NamedTuple):
    """What the server writes into a field left blank, by another field's value: the value of
    the last of `steps` ((from, value), in order of from) whose from is at most that field's
    value, e.g. the rate per meal in force from a month on. The form shows it while typing."""

    by: str
    steps: list[tuple[str, str]]


# Each returns, for a DocType's form in a school, the fields it fills when they are left blank.
BlankFills = Callable[["Meta", int], "dict[str, BlankFill]"]
blank_fills: list[BlankFills] = []

read_grants: list[ReadGrant] = []
home_panels: list[HomePanel] = []
field_grants: list[FieldGrant] = []
# Each returns, for some of the documents waiting in an approver's inbox, a warning to read
# before deciding (e.g. 疑似拆分采购), keyed by the document's id: those are decided on their
# page rather than at once from the list. A few statements for the whole page, not one a row.
DecisionWarnings = Callable[["list[Document]"], "dict[int, str]"]
decision_warnings: list[DecisionWarnings] = []


def choices_for(
    meta: Meta, document: Document | None, user: User, values: dict[str, Any]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for hook in field_choices:
        out.update(hook(meta, document, user, values))
    return out


def blank_fills_for(meta: Meta, school_id: int) -> dict[str, BlankFill]:
    out: dict[str, BlankFill] = {}
    for hook in blank_fills:
        out.update(hook(meta, school_id))
    return out


def granted_fields(document: Document, user: User) -> frozenset[str]:
    """Return the fields the layers above let this user fill in on the document now."""
    fields: frozenset[str] = frozenset()
    for grant in field_grants:
        fields |= grant(document, user)
    return fields


def first_refusal(guards: list[Callable[..., str | None]], *args: object) -> str | None:
    """Return the first guard's refusal, or None when every guard lets the action through."""
    for guard in guards:
        message = guard(*args)
        if message:
            return message
    return None


def running_condition() -> Exists | Q:
    """The condition a document meets while an approval runs on it (needs `approval_running`)."""
    return reduce(or_, (condition() for condition in approval_running))


def governed(doctype: str, school_id: int | None) -> bool:
    """Whether something (an approval flow) governs the DocType's documents in the school."""
    return school_id is not None and any(g(doctype, school_id) for g in governing)


def with_approval_state(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Annotate `in_approval` on each document, in the same statement (see `doc_status`)."""
    if not approval_running:
        return documents
    return documents.annotate(
        in_approval=ExpressionWrapper(running_condition(), output_field=BooleanField())
    )


def in_approval(document: Document) -> bool:
    """Return whether an approval is still running on one stored document."""
    if not approval_running:
        return False
    return type(document).objects.filter(running_condition(), pk=document.pk).exists()


def step_only_fields(meta: Meta, school_id: int | None) -> frozenset[str]:
    """The DocType's step_only fields, and its child tables' step_only cells as `table.cell`,
    where a flow governs it in the school (none otherwise, and no query for DocTypes without
    such fields)."""
    from school_logistics.core.document import child_metas_for

    children = child_metas_for(meta)
    names = frozenset(
        [f.fieldname for f in meta.value_fields if f.step_only]
        + [
            f"{t.fieldname}.{c.fieldname}"
            for t in meta.table_fields
            for c in children[t.options].value_fields
            if c.step_only
        ]
    )
    if not names or school_id is None:
        return frozenset()
    return names if governed(meta.name, school_id) else frozenset()
