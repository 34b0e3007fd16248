"""The organisation: schools of a district, their departments, users and roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language


class School(models.Model):
    name = models.CharField("学校名称", max_length=140, unique=True)
    code = models.SlugField("代码", max_length=40, unique=True)
    address = models.CharField("地址", max_length=240, blank=True)
    # Whether the school has its own notification wording or a chat robot. Kept by the notify
    # app's models, so sending a notice (read with the school) skips looking them up otherwise.
    has_notice_settings = models.BooleanField(default=False, editable=False)
    # Whether the school keeps budgets (set by the ledger app at its first allotment): until
    # then a requisition's approval reads no budget line.
    has_budgets = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField("部门名称", max_length=140)
    # The superior department decides whose head is "the department head's superior".
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    head = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="heads"
    )

    class Meta:
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="department_unique_per_school")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A role users hold; DocType permissions and workflow steps name roles by code."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    label_en = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language (English where one was given)."""
        english = (get_language() or "").startswith("en")
        return self.label_en if english and self.label_en else self.label


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=80, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    # District staff may work for several schools; their home school is `school`.
    other_schools = models.ManyToManyField(School, blank=True, related_name="guest_users")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users")
    language = models.CharField(max_length=10, default="zh-hans")
    # Set when an admin gives the account a password: the user picks their own at next sign-in.
    must_change_password = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def role_codes(self) -> frozenset[str]:
        """Return the codes of this user's roles, cached on the instance."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("code", flat=True))
            self._role_codes = cached
        return cached

    def remember_access(self, *, roles: Iterable[str], other_school_ids: Iterable[int]) -> None:
        """Take roles and schools read along with the user, so the methods here need no query."""
        self._role_codes = frozenset(roles)
        ids = set(other_school_ids)
        if self.school_id:
            ids.add(self.school_id)
        self._school_ids = frozenset(ids)

    def school_ids(self) -> frozenset[int]:
        """Return the ids of schools whose records this user may see."""
        cached = getattr(self, "_school_ids", None)
        if cached is None:
            ids = set(self.other_schools.values_list("id", flat=True))
            if self.school_id:
                ids.add(self.school_id)
            cached = frozenset(ids)
            self._school_ids = cached
        return cached
