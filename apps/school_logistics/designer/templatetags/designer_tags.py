"""The user menu's 表单设计 link, for those who may design forms."""

from __future__ import annotations

from django import template

from school_logistics.core.models import User
from school_logistics.designer.services import may_design

register = template.Library()


@register.filter
def can_design(user: User) -> bool:
    return bool(user.is_authenticated) and may_design(user)
