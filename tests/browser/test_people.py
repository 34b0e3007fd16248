"""用户与部门 in a browser: the admin adds a new teacher with a first password; the teacher
signs in on a phone, is asked for a password of their own first, then works as usual."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core.models import Department, User
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser]


def test_a_new_teacher_is_added_and_chooses_their_own_password(
    page: Any,
    phone: Any,
    live_server: Any,
    users: dict[str, User],
    departments: dict[str, Department],
    shot: Any,
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.get_by_role("navigation", name="导航").get_by_role("link", name="用户与部门").click()
    page.click("#new-account")
    page.fill("#id_username", "zhao.demo")
    page.fill("#id_full_name", "赵老师（演示）")
    page.select_option("#id_department", label="数学组")
    page.get_by_label("申请人/教师").check()
    first_password = page.input_value("#id_password")
    assert len(first_password) == 9  # generated, e.g. "k7mq-3p9x"
    page.get_by_role("button", name="新建").click()
    expect(page.locator(".desk-messages")).to_contain_text(f"初始密码 {first_password}")
    shot(page, "people-new-account")
    account = User.objects.get(username="zhao.demo")
    assert account.department == departments["数学组"] and account.must_change_password

    phone.goto(f"{base}/login/")
    phone.fill("#id_username", "zhao.demo")
    phone.fill("#id_password", first_password)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{base}/app/people/password")
    expect(phone.locator("#password-forced")).to_be_visible()
    shot(phone, "people-forced-password-phone")
    phone.fill("#id_old_password", first_password)
    phone.fill("#id_new_password1", "abc")
    phone.fill("#id_new_password2", "abc")
    phone.get_by_role("button", name="修改密码").click()
    expect(phone.locator("#id_new_password1-error")).to_contain_text("密码至少要 8 位")
    phone.fill("#id_old_password", first_password)
    phone.fill("#id_new_password1", "my-own-2026")
    phone.fill("#id_new_password2", "my-own-2026")
    phone.get_by_role("button", name="修改密码").click()
    phone.wait_for_url(f"{base}/app/")
    expect(phone.locator(".desk-messages")).to_contain_text("密码已修改")
    account.refresh_from_db()
    assert account.check_password("my-own-2026") and not account.must_change_password

    # The admin sees the change in the account's history.
    page.goto(f"{base}/app/people/{account.pk}/")
    expect(page.locator("#account-history")).to_contain_text("修改了自己的密码")
    expect(page.locator("#account-history")).to_contain_text("新建账号")
