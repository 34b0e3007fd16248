"""Who may do what: every right for owner, colleague, reader, outsider, admin and superuser.

The test DocType gives teachers every right on their own documents only, department heads
read + print on all, finance read + export on all; sys_admin and superusers hold every right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from school_logistics.core import permissions, services
from school_logistics.core.meta import PERMISSION_TYPES
from school_logistics.core.models import Document, School, User
from school_logistics.core.registry import get_meta
from tests.conftest import make_user
from tests.core.doctypes import PERMISSION, install_all, snapshot

URL = "/app/engine-permission-test/"
EVERY = set(PERMISSION_TYPES)


@pytest.fixture(autouse=True)
def _doctypes(db: None) -> None:
    install_all()


def create(actor: User, subject: str = "班级窗帘清洗", **kwargs: Any) -> Document:
    return services.create_document(PERMISSION, {"subject": subject}, actor=actor, **kwargs)


@pytest.fixture
def doc(users: dict[str, User]) -> Document:
    """A draft of the teacher's."""
    return create(users["teacher"])


@pytest.fixture
def foreign(school: School, outsider: User) -> Document:
    """A draft of the other school, made by its sys_admin (`school` creates the roles)."""
    return create(outsider, "二中的单据")


@pytest.fixture
def superuser(other_school: School) -> User:
    user = make_user("root", other_school)
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def district(other_school: School, school: School) -> User:
    """A department head of the other school who also works for ours (other_schools)."""
    user = make_user("district", other_school, "dept_head")
    user.other_schools.add(school)
    return user


def allowed(user: User, document: Document) -> set[str]:
    meta = get_meta(PERMISSION)
    return {p for p in PERMISSION_TYPES if permissions.has_permission(user, meta, p, document)}


# --- the matrix -----------------------------------------------------------------------------

MATRIX = {
    "teacher": EVERY,  # the owner
    "colleague": set(),  # same role and department, not the owner
    "head": {"read", "print"},
    "finance": {"read", "export"},
    "purchaser": set(),  # a role without a rule on this DocType
    "admin": EVERY,  # sys_admin of the same school
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_rights_on_the_teachers_document(users, doc, who):
    assert allowed(users[who], doc) == MATRIX[who]


def test_outsider_with_every_role_has_no_right_on_our_document(outsider, doc):
    assert allowed(outsider, doc) == set()


def test_sys_admin_holds_every_right_in_its_own_school_only(users, doc, foreign):
    assert allowed(users["admin"], doc) == EVERY
    assert allowed(users["admin"], foreign) == set()


def test_superuser_holds_every_right_in_every_school(superuser, doc, foreign):
    assert allowed(superuser, doc) == EVERY
    assert allowed(superuser, foreign) == EVERY


def test_other_schools_extend_a_users_reach_with_the_same_roles(district, doc):
    assert allowed(district, doc) == {"read", "print"}


def test_inactive_user_has_no_right(users, doc):
    teacher = users["teacher"]
    teacher.is_active = False
    teacher.save()
    assert allowed(teacher, doc) == set()


def test_if_owner_rights_follow_the_owner(users):
    heads = create(users["head"], "教研组的单据")
    assert allowed(users["head"], heads) == EVERY
    assert allowed(users["teacher"], heads) == set()


def test_create_right_without_a_document(users):
    meta = get_meta(PERMISSION)
    creators = {k for k, u in users.items() if permissions.has_permission(u, meta, "create")}
    assert creators == {"teacher", "colleague", "head", "admin"}


# --- lists ----------------------------------------------------------------------------------


def names(user: User) -> set[str]:
    return set(permissions.readable(user, get_meta(PERMISSION)).values_list("name", flat=True))


def test_lists_show_what_each_user_may_read(users, outsider, superuser, district, doc, foreign):
    heads = create(users["head"], "教研组的单据")
    ours = {doc.name, heads.name}
    assert names(users["teacher"]) == {doc.name}
    assert names(users["colleague"]) == set()
    assert names(users["head"]) == ours
    assert names(users["finance"]) == ours
    assert names(users["purchaser"]) == set()
    assert names(users["admin"]) == ours
    assert names(outsider) == {foreign.name}
    assert names(district) == ours | {foreign.name}  # home school and the extra one
    assert names(superuser) == ours | {foreign.name}


# --- services refuse and change nothing ------------------------------------------------------


def _submitted(doc: Document, owner: User) -> Document:
    return services.submit_document(PERMISSION, doc.name, actor=owner)


def _cancelled(doc: Document, owner: User) -> Document:
    _submitted(doc, owner)
    return services.cancel_document(PERMISSION, doc.name, actor=owner)


# (action, state the document must be in, call)
ACTIONS: dict[str, tuple[str, Callable[[str, User], Any]]] = {
    "write": (
        "draft",
        lambda n, u: services.save_document(PERMISSION, n, {"subject": "改"}, actor=u),
    ),
    "submit": ("draft", lambda n, u: services.submit_document(PERMISSION, n, actor=u)),
    "delete": ("draft", lambda n, u: services.delete_document(PERMISSION, n, actor=u)),
    "cancel": ("submitted", lambda n, u: services.cancel_document(PERMISSION, n, actor=u)),
    "amend": ("cancelled", lambda n, u: services.amend_document(PERMISSION, n, actor=u)),
}


def _in_state(doc: Document, owner: User, state: str) -> Document:
    if state == "submitted":
        return _submitted(doc, owner)
    if state == "cancelled":
        return _cancelled(doc, owner)
    return doc


# Who is refused, and how: those who cannot read get 404, readers without the right get 403.
REFUSALS = [("colleague", Http404), ("head", PermissionDenied), ("outsider", Http404)]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(("who", "error"), REFUSALS)
def test_services_refuse_without_the_right_and_change_nothing(
    users, outsider, doc, action, who, error
):
    state, call = ACTIONS[action]
    _in_state(doc, users["teacher"], state)
    actor = outsider if who == "outsider" else users[who]
    before = snapshot()
    with pytest.raises(error):
        call(doc.name, actor)
    assert snapshot() == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_owner_and_admin_may_act(users, doc, action):
    state, call = ACTIONS[action]
    _in_state(doc, users["teacher"], state)
    call(doc.name, users["teacher"])
    other = create(users["teacher"], "另一张")
    _in_state(other, users["teacher"], state)
    call(other.name, users["admin"])


def test_create_is_refused_without_the_right(users):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="没有权限：新建"):
        create(users["finance"])
    assert snapshot() == before


def test_nobody_creates_in_a_school_that_is_not_theirs(users, other_school):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="测试第二中学"):
        create(users["admin"], school=other_school)
    assert snapshot() == before


def test_district_user_may_create_in_an_extra_school_when_the_role_allows(district, school):
    district.roles.add(*users_role("teacher"))
    document = create(district, "区里代建", school=school)
    assert document.school_id == school.pk
    assert document.owner_id == district.pk


def users_role(code: str) -> list[Any]:
    from school_logistics.core.models import Role

    return list(Role.objects.filter(code=code))


def test_comment_needs_read(users, outsider, doc):
    before = snapshot()
    with pytest.raises(Http404):
        services.add_comment(PERMISSION, doc.name, "看不见也想评论", actor=outsider)
    with pytest.raises(Http404):
        services.add_comment(PERMISSION, doc.name, "同事评论", actor=users["colleague"])
    assert snapshot() == before
    assert doc.comments.count() == 0
    services.add_comment(PERMISSION, doc.name, "我看过了", actor=users["head"])
    assert doc.comments.count() == 1


# --- the desk pages enforce the same rules --------------------------------------------------


def page(doc: Document, action: str = "") -> str:
    return f"{URL}{doc.name}" + (f"/{action}" if action else "")


def test_outsider_gets_404_for_our_document_page_and_list(client, users, outsider, doc, foreign):
    client.force_login(outsider)
    assert client.get(page(doc)).status_code == 404
    listing = client.get(URL).content.decode()
    assert foreign.name in listing and doc.name not in listing


def test_reader_sees_the_page_but_gets_403_for_every_change(client, users, doc):
    client.force_login(users["head"])
    assert client.get(page(doc)).status_code == 200
    before = snapshot()
    assert client.post(page(doc), {"subject": "组长改"}).status_code == 403
    for action in ["submit", "delete"]:
        assert client.post(page(doc, action)).status_code == 403, action
    assert snapshot() == before


@pytest.mark.parametrize(("state", "action"), [("submitted", "cancel"), ("cancelled", "amend")])
def test_reader_gets_403_for_cancel_and_amend(client, users, doc, state, action):
    _in_state(doc, users["teacher"], state)
    client.force_login(users["head"])
    before = snapshot()
    assert client.post(page(doc, action)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_users_who_cannot_read_get_404_for_every_action(client, users, outsider, doc, who):
    client.force_login(outsider if who == "outsider" else users[who])
    before = snapshot()
    assert client.post(page(doc), {"subject": "越权修改"}).status_code == 404
    for action in ["submit", "cancel", "amend", "delete", "comment"]:
        assert client.post(page(doc, action), {"content": "x"}).status_code == 404, action
    assert snapshot() == before
    assert doc.comments.count() == 0


def test_new_form_refuses_users_without_create(client, users):
    client.force_login(users["finance"])
    before = snapshot()
    assert client.get(URL + "new").status_code == 403
    assert client.post(URL + "new", {"subject": "财务新建"}).status_code == 403
    assert snapshot() == before


def test_owner_acts_through_the_pages(client, users, doc):
    client.force_login(users["teacher"])
    assert client.post(page(doc), {"subject": "窗帘清洗（二楼）"}).status_code == 302
    assert client.post(page(doc, "submit")).status_code == 302
    assert client.post(page(doc, "cancel")).status_code == 302
    assert client.post(page(doc, "amend")).status_code == 302
    assert Document.objects.filter(doctype=PERMISSION, name=f"{doc.name}-1").exists()


def test_sys_admin_pages_stop_at_the_school_boundary(client, users, doc, foreign):
    client.force_login(users["admin"])
    assert client.get(page(doc)).status_code == 200
    before = snapshot()
    assert client.get(page(foreign)).status_code == 404
    assert client.post(page(foreign, "delete")).status_code == 404
    assert snapshot() == before


def test_superuser_pages_reach_every_school(client, users, superuser, foreign):
    client.force_login(superuser)
    assert client.get(page(foreign)).status_code == 200
