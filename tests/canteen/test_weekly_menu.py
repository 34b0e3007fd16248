"""每周菜谱: one menu a week, each meal it serves on every school day, two meat, two vegetable
dishes and a soup at lunch and dinner, meat dishes at least half meat, sent and published a week
ahead; anyone reads the published menu (校务公开)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask
from tests.workflow.conftest import pending

MENU = "Weekly Menu"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五")
LUNCH = [("荤菜", "红烧肉", 80), ("荤菜", "宫保鸡丁", 60), ("素菜", "清炒白菜", None),
         ("素菜", "番茄炒蛋", None), ("汤", "紫菜蛋花汤", None), ("主食", "米饭", None)]  # fmt: skip


def monday(weeks_ahead: int) -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks_ahead)


def menu(actor: User, start: dt.date, lunch=LUNCH, days=WEEKDAYS, **values) -> Document:
    dishes = [
        {"day": day, "meal": "午餐", "kind": kind, "dish": dish, "meat_share": share}
        for day in days
        for kind, dish, share in lunch
    ]
    return services.create_document(
        MENU,
        {"title": f"{start:%m-%d} 起学生食堂菜谱", "week_start": start, "dishes": dishes, **values},
        actor=actor,
    )


def test_lunch_and_dinner_need_two_meat_two_vegetable_dishes_and_a_soup(users):
    thin = [("荤菜", "红烧肉", 80), ("素菜", "清炒白菜", None), ("主食", "米饭", None)]
    with pytest.raises(DocumentValidationError) as exc:
        menu(users["canteen"], monday(2), lunch=thin, days=("周一", "周二"))
    assert exc.value.errors["dishes"] == [
        "周一午餐：荤菜 1 个（至少 2 个）、素菜 1 个（至少 2 个）、汤 0 个（至少 1 个）",
        "周二午餐：荤菜 1 个（至少 2 个）、素菜 1 个（至少 2 个）、汤 0 个（至少 1 个）",
    ]
    assert not Document.objects.filter(doctype=MENU).exists()


def test_a_meat_dish_is_at_least_half_meat_and_a_week_starts_on_monday(users):
    stingy = [("荤菜", "土豆烧肉", 30), *LUNCH[1:]]
    with pytest.raises(DocumentValidationError) as exc:
        menu(users["canteen"], monday(2) + dt.timedelta(days=1), lunch=stingy)
    assert exc.value.errors["week_start"] == ["开始日期应为周一"]
    assert "土豆烧肉 是荤菜，肉的比例不少于 50%" in exc.value.errors["dishes.1.meat_share"][0]


def test_a_menu_is_published_a_week_ahead_and_once_per_week(users):
    canteen = users["canteen"]
    late = menu(canteen, monday(0))
    with pytest.raises(DocumentValidationError) as exc:
        services.submit_document(MENU, late.name, actor=canteen)
    assert f"{monday(0).isoformat()} 开始的菜谱最迟应在" in str(exc.value.messages())
    services.delete_document(MENU, late.name, actor=canteen)
    ahead = menu(canteen, monday(2))
    services.submit_document(MENU, ahead.name, actor=canteen)
    with pytest.raises(DocumentValidationError) as exc:
        menu(canteen, monday(2))
    assert f"这一周的菜谱已公布（{ahead.name}）" in str(exc.value.messages())


def test_a_menu_covers_every_school_day_of_each_meal_it_serves(users):
    canteen = users["canteen"]
    monday_only = menu(canteen, monday(2), days=("周一",))  # a draft being filled in is kept
    with pytest.raises(DocumentValidationError) as exc:
        services.submit_document(MENU, monday_only.name, actor=canteen)
    assert exc.value.errors["dishes"] == ["午餐须排满周一至周五，还缺：周二、周三、周四、周五"]
    monday_only.refresh_from_db()
    assert monday_only.docstatus == DocStatus.DRAFT
    breakfast = [{"day": "周三", "meal": "早餐", "kind": "主食", "dish": "肉包"}]
    rows = monday_only.data["dishes"]
    whole_lunch = [{**row, "day": day} for day in ("周二", "周三", "周四", "周五") for row in rows]
    services.save_document(
        MENU, monday_only.name, {"dishes": rows + whole_lunch + breakfast}, actor=canteen
    )
    with pytest.raises(DocumentValidationError) as exc:
        services.submit_document(MENU, monday_only.name, actor=canteen)
    assert exc.value.errors["dishes"] == ["早餐须排满周一至周五，还缺：周一、周二、周四、周五"]
    services.save_document(MENU, monday_only.name, {"dishes": rows + whole_lunch}, actor=canteen)
    services.submit_document(MENU, monday_only.name, actor=canteen)
    monday_only.refresh_from_db()
    assert monday_only.docstatus == DocStatus.SUBMITTED


def test_a_second_menu_for_a_week_with_a_draft_is_refused_when_saved(users):
    canteen = users["canteen"]
    draft = menu(canteen, monday(2))
    with pytest.raises(DocumentValidationError) as exc:
        menu(canteen, monday(2), title="重复的菜谱")
    assert exc.value.errors["week_start"] == [
        f"这一周已有菜谱 {draft.name}（草稿），每周只有一份菜谱，请修改那一份"
    ]
    assert list(Document.objects.filter(doctype=MENU).values_list("name", flat=True)) == [
        draft.name
    ]
    other_week = menu(canteen, monday(3))
    with pytest.raises(DocumentValidationError):  # moved onto the drafted week
        services.save_document(MENU, other_week.name, {"week_start": monday(2)}, actor=canteen)
    other_week.refresh_from_db()
    assert other_week.posting_date == monday(3)
    services.save_document(MENU, draft.name, {"remarks": "改了一道菜"}, actor=canteen)  # itself


@pytest.mark.workflows
def test_a_menu_waiting_for_approval_holds_its_week_until_rejected(users):
    canteen, office = users["canteen"], users["purchaser"]
    sent = menu(canteen, monday(2))
    actions.start_approval(MENU, sent.name, actor=canteen)
    with pytest.raises(DocumentValidationError) as exc:
        menu(canteen, monday(2))
    [message] = exc.value.errors["week_start"]
    assert message.startswith(f"这一周已有菜谱 {sent.name}（审批中：")
    actions.reject(pending(sent, office).pk, actor=office, comment="荤菜太少")
    again = menu(canteen, monday(2))  # the rejected one is over: copied and tried again
    assert again.posting_date == monday(2)


@pytest.mark.workflows
def test_a_menu_too_late_to_publish_a_week_ahead_cannot_be_sent(users):
    canteen = users["canteen"]
    late = menu(canteen, monday(0))  # a draft may be saved; it cannot go out any more
    latest = monday(0) - dt.timedelta(days=7)
    with pytest.raises(DocumentValidationError) as exc:
        actions.start_approval(MENU, late.name, actor=canteen)
    assert exc.value.errors["week_start"] == [
        f"菜谱须提前一周公布：{late.posting_date.isoformat()} 开始的菜谱最迟应在 "
        f"{latest.isoformat()} 公布，今天（{timezone.localdate().isoformat()}）已来不及，"
        "请改排以后的周"
    ]
    late.refresh_from_db()
    assert (late.docstatus, late.workflow_state) == (DocStatus.DRAFT, "")
    assert not ApprovalTask.objects.filter(document=late).exists()


def test_anyone_reads_the_published_menu_without_an_account(client, users, school):
    canteen = users["canteen"]
    published = menu(canteen, monday(2))
    services.submit_document(MENU, published.name, actor=canteen)
    draft = menu(canteen, monday(1), lunch=[(k, d + "（草稿）", s) for k, d, s in LUNCH])
    page = client.get(f"/menu/{school.code}/").content.decode()
    assert published.title in page and "宫保鸡丁" in page
    assert draft.title not in page and "（草稿）" not in page
    assert client.get("/menu/no-such-school/").status_code == 404
    client.force_login(users["teacher"])
    assert f'href="/menu/{school.code}/"' in client.get("/app/").content.decode()


@pytest.mark.workflows
def test_the_office_approves_the_menu_and_it_is_published(users):
    doc = menu(users["canteen"], monday(2))
    actions.start_approval(MENU, doc.name, actor=users["canteen"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已公布")
