"""The forms of 用户与部门: an account, a department, a password.

Messages are the user's language; values are read against the admin's own school only.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from school_logistics.core.models import Department, Role, School, User
from school_logistics.core.roles import DEFAULT_ROLES

# Roles only the district gives (kept here: services imports the forms' helpers).
DISTRICT_ROLES = frozenset({"bureau"})

USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]+$")
MOBILE = re.compile(r"^1\d{10}$")
# No 0/o, 1/l/i: the admin reads the first password out to a colleague.
PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password() -> str:
    """A first password easy to read out: two groups of four, e.g. "k7mq-3p9x"."""
    chars = [secrets.choice(PASSWORD_LETTERS) for _ in range(8)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def check_password_rules(password: str, user: User | None = None) -> None:
    """The site's password rules, with the reason in the desk's words (Django's Chinese
    catalogue lacks its newest wording of "too short")."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([_reason(e) for e in exc.error_list]) from exc


def _reason(error: ValidationError) -> ValidationError:
    params = error.params or {}
    match error.code:
        case "password_too_short":
            return ValidationError(_("密码至少要 %(n)s 位") % {"n": params.get("min_length", 8)})
        case "password_too_common":
            return ValidationError(_("这个密码太常见，容易被猜到"))
        case "password_entirely_numeric":
            return ValidationError(_("密码不能全是数字"))
        case "password_too_similar":
            return ValidationError(_("密码与用户名、姓名或邮箱太相似"))
    return error


def _text(label: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": format_lazy(gettext_lazy("请填写{}"), label),
            "max_length": format_lazy(gettext_lazy("最多 {} 个字"), max_length),
        },
        **kwargs,
    )


class AccountForm(forms.Form):
    """A member of staff: who they are, where they work, what they do."""

    full_name = _text(gettext_lazy("姓名"), 80)
    phone = _text(gettext_lazy("手机"), 20, required=False)
    email = forms.EmailField(
        label=gettext_lazy("邮箱"),
        required=False,
        max_length=254,
        error_messages={"invalid": gettext_lazy("邮箱格式不正确")},
    )
    department = forms.ModelChoiceField(
        Department.objects.none(),
        label=gettext_lazy("部门"),
        required=False,
        empty_label=gettext_lazy("（无部门）"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择本校的部门")},
    )
    roles = forms.ModelMultipleChoiceField(
        Role.objects.none(),
        label=gettext_lazy("角色"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("没有这个角色")},
    )

    def __init__(self, *args: Any, school: School, district: bool = False, **kw: Any):
        """`district`: the admin is the district's, who alone gives the district's roles and
        the other schools an account serves."""
        super().__init__(*args, **kw)
        departments = Department.objects.filter(school=school)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        roles = roles_in_order()
        if district:
            self.fields["other_schools"] = forms.ModelMultipleChoiceField(
                School.objects.exclude(pk=school.pk),
                label=gettext_lazy("兼管学校"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=gettext_lazy("教育局人员可查看所兼管学校的后勤概览"),
            )
        else:
            roles = roles.exclude(code__in=DISTRICT_ROLES)
        self.fields["roles"].queryset = roles  # type: ignore[attr-defined]

    def clean_full_name(self) -> str:
        return str(self.cleaned_data["full_name"]).strip()

    def clean_phone(self) -> str:
        # Digits typed with a Chinese input method are full-width (１３８…): the same number.
        phone = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", self.cleaned_data["phone"]))
        if phone and not MOBILE.match(phone):
            raise ValidationError(_("手机号应为 1 开头的 11 位数字"))
        return phone


class NewAccountForm(AccountForm):
    """A new account: the username it signs in with for good (documents name people by it),
    and the first password the admin hands over."""

    username = _text(gettext_lazy("用户名"), 150)
    password = _text(gettext_lazy("初始密码"), 128)
    field_order = ["username", "full_name", "phone", "email", "department", "roles", "password"]

    def clean_username(self) -> str:
        username = unicodedata.normalize("NFKC", self.cleaned_data["username"]).strip()
        if not USERNAME.match(username):
            raise ValidationError(_("用户名只能用英文字母、数字和 . _ - @ +"))
        # Case apart, two accounts would sign in as each other's look-alike.
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("用户名“%(name)s”已被使用") % {"name": username})
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        password = data.get("password")
        if password:
            # Checked against who the account is for: not their username, name or mobile.
            person = User(
                username=data.get("username", ""),
                full_name=data.get("full_name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
            )
            try:
                check_password_rules(password, person)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class PasswordResetForm(forms.Form):
    password = _text(gettext_lazy("新密码"), 128)

    def __init__(self, *args: Any, account: User | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.account = account

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        check_password_rules(password, self.account)
        return password


class SchoolForm(forms.Form):
    name = _text(gettext_lazy("学校名称"), 140)
    code = _text(gettext_lazy("代码"), 40)
    address = _text(gettext_lazy("地址"), 240, required=False)

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if School.objects.filter(name=name).exists():
            raise ValidationError(_("已有学校“%(name)s”") % {"name": name})
        return name

    def clean_code(self) -> str:
        code = unicodedata.normalize("NFKC", self.cleaned_data["code"]).strip().lower()
        if not re.fullmatch(r"[a-z0-9-]+", code):
            raise ValidationError(_("代码只能用小写英文字母、数字和 -，如 qh-school-3"))
        if School.objects.filter(code=code).exists():
            raise ValidationError(_("代码“%(code)s”已被使用") % {"code": code})
        return code


class DepartmentForm(forms.Form):
    name = _text(gettext_lazy("部门名称"), 140)
    parent = forms.ModelChoiceField(
        Department.objects.none(),
        label=gettext_lazy("上级部门"),
        required=False,
        empty_label=gettext_lazy("（无上级）"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择本校的其他部门")},
    )
    head = forms.ModelChoiceField(
        User.objects.none(),
        label=gettext_lazy("负责人"),
        required=False,
        empty_label=gettext_lazy("（暂无）"),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择本校在用的账号")},
    )

    def __init__(self, *args: Any, school: School, department: Department | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.school = school
        self.department = department
        parents = Department.objects.filter(school=school)
        if department is not None:
            # Not itself nor one below it: the chain of superiors must end.
            parents = parents.exclude(pk__in=[department.pk, *descendants(department)])
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        # The school's own staff in service; a head since stopped stays until replaced.
        current = department.head_id if department is not None else None
        heads = User.objects.filter(Q(school=school, is_active=True) | Q(pk=current))
        heads = heads.exclude(is_superuser=True).exclude(roles__code__in=DISTRICT_ROLES)
        self.fields["head"].queryset = heads.order_by(  # type: ignore[attr-defined]
            "full_name", "username"
        ).distinct()
        self.fields["head"].label_from_instance = _person  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = Department.objects.filter(school=self.school, name=name)
        if self.department is not None:
            taken = taken.exclude(pk=self.department.pk)
        if taken.exists():
            raise ValidationError(_("本校已有部门“%(name)s”") % {"name": name})
        return name


def roles_in_order() -> QuerySet[Role]:
    """The school's roles as the list of default roles has them (requester first, the
    admin's own last), then roles added later."""
    shipped = [code for code, _label, _en in DEFAULT_ROLES]
    rank = Case(
        *(When(code=code, then=Value(i)) for i, code in enumerate(shipped)),
        default=Value(len(shipped)),
    )
    return Role.objects.order_by(rank, "code")


def _person(user: User) -> str:
    if user.full_name and user.full_name != user.username:
        return f"{user.full_name}（{user.username}）"
    return user.username


def descendants(department: Department) -> list[int]:
    """The ids of the departments below this one, at any depth (one query per level)."""
    found: list[int] = []
    level = [department.pk]
    while level:
        level = list(
            Department.objects.filter(parent_id__in=level)
            .exclude(pk__in=found + [department.pk])
            .values_list("pk", flat=True)
        )
        found.extend(level)
    return found
