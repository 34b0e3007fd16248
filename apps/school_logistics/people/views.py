"""Pages of 用户与部门 (the school admin's) and 修改密码 (everyone's)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages as flash
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from school_logistics.core import extensions, permissions
from school_logistics.core.models import Department, Role, School, User
from school_logistics.core.permissions import ADMIN_ROLE
from school_logistics.core.views.transfer import xlsx_response
from school_logistics.people import roster, services
from school_logistics.people.forms import (
    AccountForm,
    DepartmentForm,
    NewAccountForm,
    PasswordResetForm,
    SchoolForm,
    check_password_rules,
    new_password,
    roles_in_order,
)
from school_logistics.people.models import AccountChange

PAGE = 50


# The school the district's administrator is managing (a superuser picks it on the list).
CHOSEN_SCHOOL = "people_school"


def people_link(user: User) -> list[extensions.DeskLink]:
    """Offer a school's admin (and the district's) 用户与部门 under 系统 in the sidebar."""
    if not user.is_superuser and (user.school_id is None or not permissions.is_admin(user)):
        return []
    return [extensions.DeskLink("core", _("用户与部门"), reverse("people:list"), "fa-users")]


def _admin(request: HttpRequest) -> tuple[User, School]:
    user: User = request.user  # type: ignore[assignment]
    school = services.admin_school(user, request.session.get(CHOSEN_SCHOOL))
    # Which school the pages work on, named on each of them for the district's administrator
    # (people/_managed_school.html): they may have turned to another than their own.
    request.people_school = school  # type: ignore[attr-defined]
    return user, school


@login_required
@require_POST
def choose_school(request: HttpRequest) -> HttpResponse:
    """The district's administrator turns to another school's accounts."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_superuser:
        raise PermissionDenied(_("只有区级管理员可以管理各校的账号"))
    school = get_object_or_404(School, pk=request.POST.get("school") or 0)
    request.session[CHOSEN_SCHOOL] = school.pk
    return redirect("people:list")


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    """The district's schools, with how many accounts each has; a form to add one."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_superuser:
        raise PermissionDenied(_("只有区级管理员可以新建学校"))
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        school = services.create_school(user, form.cleaned_data)
        request.session[CHOSEN_SCHOOL] = school.pk
        flash.success(
            request,
            _("已新建学校“%(name)s”：请新建其部门和系统管理员账号") % {"name": school.name},
        )
        return redirect("people:departments")
    schools = School.objects.annotate(
        accounts=Count("users", filter=Q(users__is_active=True), distinct=True),
        admins=Count(
            "users",
            filter=Q(users__is_active=True, users__roles__code=ADMIN_ROLE),
            distinct=True,
        ),
    )
    return render(
        request,
        "people/schools.html",
        {"schools": schools, "form": form},
        status=400 if form.errors else 200,
    )


def _account(school: School, pk: int) -> User:
    """An account of the admin's school; another school's is not found."""
    queryset = User.objects.select_related("department").prefetch_related("roles", "other_schools")
    return get_object_or_404(queryset, pk=pk, school=school)


def _accounts(school: School, params: dict[str, str]) -> QuerySet[User]:
    accounts = User.objects.filter(school=school)
    if q := params.get("q", "").strip():
        accounts = accounts.filter(
            Q(full_name__icontains=q) | Q(username__icontains=q) | Q(phone__icontains=q)
        )
    if params.get("department", "").isdigit():
        accounts = accounts.filter(department_id=int(params["department"]))
    elif params.get("department") == "none":
        accounts = accounts.filter(department__isnull=True)
    if role := params.get("role", ""):
        accounts = accounts.filter(roles__code=role)
    status = params.get("status", "active")
    if status in {"active", "inactive"}:
        accounts = accounts.filter(is_active=status == "active")
    ordered = accounts.select_related("department").prefetch_related("roles", "other_schools")
    by_department = F("department__name").asc(nulls_last=True)
    return ordered.order_by(by_department, "full_name", "username").distinct()


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    """The school's accounts, found by name, username or phone, by department, role or status."""
    _actor, school = _admin(request)
    keys = ("q", "department", "role", "status")
    params = {k: request.GET.get(k, "") for k in keys}
    params["status"] = params["status"] or "active"
    page = Paginator(_accounts(school, params), PAGE).get_page(request.GET.get("page"))
    for account in page.object_list:
        account.district = services.is_district_account(account)
    user: User = request.user  # type: ignore[assignment]
    context = {
        "school": school,
        "schools": School.objects.all() if user.is_superuser else [],
        "page": page,
        "params": params,
        "page_query": urlencode({k: v for k, v in params.items() if v}),
        "departments": Department.objects.filter(school=school),
        "roles": roles_in_order(),
        "statuses": [
            ("active", _("在用")),
            ("inactive", pgettext("account", "已停用")),
            ("all", _("全部")),
        ],
    }
    template = "people/_results.html" if request.htmx else "people/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def account_new(request: HttpRequest) -> HttpResponse:
    actor, school = _admin(request)
    form = NewAccountForm(
        request.POST or None,
        school=school,
        district=actor.is_superuser,
        initial={"password": new_password()},
    )
    if request.method == "POST" and form.is_valid():
        account = services.create_account(school, actor, form.cleaned_data)
        flash.success(
            request,
            _(
                "已新建账号 %(username)s，初始密码 %(password)s：请转告本人，首次登录须改为自己的密码"
            )
            % {"username": account.username, "password": form.cleaned_data["password"]},
        )
        return redirect("people:edit", pk=account.pk)
    status = 400 if form.errors else 200
    return render(request, "people/account_new.html", {"form": form}, status=status)


@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor, school = _admin(request)
    account = _account(school, pk)
    editable = services.may_edit(actor, account)
    initial = {
        "full_name": account.full_name,
        "phone": account.phone,
        "email": account.email,
        "department": account.department,
        "roles": list(account.roles.all()),
        "other_schools": list(account.other_schools.all()),
    }
    form = AccountForm(
        request.POST or None, school=school, district=actor.is_superuser, initial=initial
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        services.check_may_edit(actor, account)
        try:
            warnings = services.update_account(school, actor, account, form.cleaned_data)
        except services.Refused as exc:
            refusal = str(exc)
        else:
            flash.success(request, _("已保存 %(name)s 的资料") % {"name": account.display_name})
            for warning in warnings:
                flash.warning(request, warning)
            return redirect("people:edit", pk=account.pk)
    return render(
        request,
        "people/account_edit.html",
        {
            "account": account,
            "form": form,
            "editable": editable,
            "refusal": refusal,
            "reset_form": PasswordResetForm(initial={"password": new_password()}),
            "history": _history(account),
            "open_tasks": _open_tasks(account),
            "is_self": account.pk == actor.pk,
        },
        status=400 if form.errors or refusal else 200,
    )


def _history(account: User) -> list[dict[str, object]]:
    rows = AccountChange.objects.filter(user=account).select_related("actor")[:50]
    labels = {r.code: r.display_label for r in Role.objects.all()}

    def words(code: str, value: str) -> str:
        if code != "roles":
            return value
        return "、".join(labels.get(role, role) for role in value.split(",") if role)

    return [
        {
            "at": row.at,
            "actor": row.actor.display_name if row.actor else _("系统"),
            "action": row.get_action_display(),
            "changes": [
                (services.FIELD_LABELS.get(code, code), words(code, before), words(code, after))
                for code, before, after in row.changes
            ],
        }
        for row in rows
    ]


def _open_tasks(account: User) -> int:
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    return ApprovalTask.objects.filter(assignee=account, status=TaskStatus.PENDING).count()


@login_required
@require_POST
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an account a new password to hand over (a forgotten one)."""
    actor, school = _admin(request)
    account = _account(school, pk)
    form = PasswordResetForm(request.POST, account=account)
    if not form.is_valid():
        for message in form["password"].errors:
            flash.error(request, str(message))
        return redirect("people:edit", pk=account.pk)
    try:
        services.reset_password(school, actor, account, form.cleaned_data["password"])
    except services.Refused as exc:
        flash.error(request, str(exc))
    else:
        flash.success(
            request,
            _("%(name)s 的密码已重置为 %(password)s：请转告本人，登录后须改为自己的密码")
            % {"name": account.display_name, "password": form.cleaned_data["password"]},
        )
    return redirect("people:edit", pk=account.pk)


@login_required
@require_POST
def account_active(request: HttpRequest, pk: int) -> HttpResponse:
    """停用 someone who left (their open approvals move on at once) or 启用 them again."""
    actor, school = _admin(request)
    account = _account(school, pk)
    active = request.POST.get("active") == "1"
    try:
        result = services.set_active(school, actor, account, active)
    except services.Refused as exc:
        flash.error(request, str(exc))
        return redirect("people:edit", pk=account.pk)
    name = account.display_name
    if active:
        flash.success(request, _("已启用 %(name)s 的账号") % {"name": name})
    else:
        flash.success(request, _("已停用 %(name)s 的账号，其登录随即失效") % {"name": name})
        if result.moved_tasks:
            flash.info(
                request,
                _("%(n)s 项待办已转给 %(takers)s")
                % {"n": result.moved_tasks, "takers": "、".join(result.takers) or "—"},
            )
        for department in result.heads_of:
            flash.warning(
                request,
                _("%(name)s 是“%(department)s”的负责人：请在部门中另指定负责人")
                % {"name": name, "department": department},
            )
    return redirect("people:edit", pk=account.pk)


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    """花名册导入: upload the filled template; on any error nothing is created and every row's
    problem is listed; else the new accounts are shown once with their first passwords."""
    actor, school = _admin(request)
    context: dict[str, object] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise roster.RosterRefused(_("请选择要导入的 Excel 文件"))
            found = roster.read(school, upload)
        except roster.RosterRefused as exc:
            context["refusal"] = str(exc)
        else:
            if found.errors:
                context["errors"] = found.errors
            else:
                context["created"] = roster.create(school, actor, found)
                return render(request, "people/roster_done.html", context)
    status = 400 if context else 200
    return render(request, "people/roster_import.html", context, status=status)


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    _user, school = _admin(request)
    return xlsx_response(roster.template(school), _("人员导入模板") + ".xlsx")


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    """The school's departments with their superiors, heads and members; a form to add one."""
    _user, school = _admin(request)
    form = DepartmentForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        department = services.save_department(school, None, form.cleaned_data)
        flash.success(request, _("已新建部门“%(name)s”") % {"name": department.name})
        return redirect("people:departments")
    departments = (
        Department.objects.filter(school=school)
        .select_related("parent", "head")
        .annotate(members_count=Count("members", filter=Q(members__is_active=True)))
    )
    return render(
        request,
        "people/departments.html",
        {"departments": _as_tree(list(departments)), "form": form},
        status=400 if form.errors else 200,
    )


def _as_tree(departments: list[Department]) -> list[tuple[Department, int]]:
    """Each department after its superior, with its depth (a top one is 0)."""
    below: dict[int | None, list[Department]] = {}
    ids = {d.pk for d in departments}
    for d in departments:
        below.setdefault(d.parent_id if d.parent_id in ids else None, []).append(d)
    ordered: list[tuple[Department, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for d in below.get(parent, []):
            ordered.append((d, depth))
            walk(d.pk, depth + 1)

    walk(None, 0)
    return ordered


@login_required
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _user, school = _admin(request)
    department = get_object_or_404(Department, pk=pk, school=school)
    initial = {"name": department.name, "parent": department.parent, "head": department.head}
    form = DepartmentForm(
        request.POST or None, school=school, department=department, initial=initial
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.save_department(school, department, form.cleaned_data)
        except services.Refused as exc:
            refusal = str(exc)
        else:
            flash.success(request, _("已保存部门“%(name)s”") % {"name": department.name})
            return redirect("people:departments")
    # Stopped members too: they keep the department from being deleted, so they are shown.
    members = department.members.order_by("-is_active", "full_name", "username")
    return render(
        request,
        "people/department_edit.html",
        {"department": department, "form": form, "refusal": refusal, "members": members},
        status=400 if form.errors or refusal else 200,
    )


@login_required
@require_POST
def department_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _user, school = _admin(request)
    department = get_object_or_404(Department, pk=pk, school=school)
    try:
        services.delete_department(department)
    except services.Refused as exc:
        flash.error(request, str(exc))
        return redirect("people:department", pk=department.pk)
    flash.success(request, _("已删除部门“%(name)s”") % {"name": department.name})
    return redirect("people:departments")


class OwnPasswordForm(PasswordChangeForm):
    """Django's change of one's own password, in the desk's words; a password an admin handed
    over is not kept."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": gettext_lazy("当前密码"),
            "new_password1": gettext_lazy("新密码"),
            "new_password2": gettext_lazy("再输一次新密码"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["old_password"].error_messages["required"] = _("请填写当前密码")
        self.fields["new_password1"].error_messages["required"] = _("请填写新密码")
        self.fields["new_password2"].error_messages["required"] = _("请再输一次新密码")
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("当前密码不正确，请重新输入"),
            "password_mismatch": _("两次输入的新密码不一致"),
        }

    def validate_password_for_user(self, user: User, password_field_name: str = "") -> None:
        # Said under 新密码, where the password was chosen, not under its repetition.
        password = self.cleaned_data.get(password_field_name)
        if password and "new_password1" in self.cleaned_data:
            try:
                check_password_rules(password, user)
            except django_forms.ValidationError as error:
                self.add_error("new_password1", error)

    def clean_new_password1(self) -> str:
        password: str = self.cleaned_data["new_password1"]
        if self.user.check_password(password):
            raise django_forms.ValidationError(_("新密码不能与当前密码相同"))
        return password


@login_required
def own_password(request: HttpRequest) -> HttpResponse:
    """Everyone's 修改密码; the page a user with a handed-over password is sent to first."""
    user: User = request.user  # type: ignore[assignment]
    form = OwnPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)  # stay signed in here; other devices sign out
        services.password_changed(user)
        flash.success(request, _("密码已修改"))
        return redirect("desk:home")
    return render(
        request,
        "people/own_password.html",
        {"form": form, "forced": user.must_change_password},
        status=400 if form.errors else 200,
    )
