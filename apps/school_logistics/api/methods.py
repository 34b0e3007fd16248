"""`/api/method/<name>`: Frappe's whitelisted methods, one table entry per method.

To add a method, write `def fn(call) -> value` and
add `"dotted.name": Method(fn, READ or WRITE)` to METHODS. A plain value is sent as
`{"message": value}`; a method may also return a whole HttpResponse (a PDF, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.utils.translation import gettext as _

from school_logistics.api import client, errors, ratelimit
from school_logistics.api import document_methods as dm
from school_logistics.api import workflow_methods as wf
from school_logistics.api.handler import Call, api_view, json_response

READ = frozenset({"GET", "POST"})
WRITE = frozenset({"POST", "PUT"})
ANY = frozenset({"GET", "POST", "PUT", "DELETE"})


@dataclass(frozen=True)
class Method:
    func: Callable[[Call], Any]
    http_methods: frozenset[str]
    allow_guest: bool = False
    summary: str = ""  # shown on the docs page and in the OpenAPI description


def _required(call: Call, name: str) -> Any:
    value = call.arg(name)
    if value in (None, ""):
        raise errors.ValidationError(_("缺少参数：%(name)s") % {"name": name})
    return value


def api_login(call: Call) -> HttpResponse:
    """Log in with usr/pwd and answer as Frappe does, setting the session cookie."""
    username, password = call.arg("usr"), call.arg("pwd")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise errors.AuthenticationError(_("请输入用户名和密码"))
    user = authenticate(call.request, username=username[:150], password=password[:1000])
    if user is None:
        # Wrong passwords count twice against the address: guessing stays slow.
        ratelimit.hit(call.caller.identity)
        raise errors.AuthenticationError(_("用户名或密码不正确"))
    login(call.request, user)
    return json_response(
        {"message": "Logged In", "home_page": "/app", "full_name": user.display_name}
    )


def api_logout(call: Call) -> HttpResponse:
    logout(call.request)
    return json_response({})


def get_logged_user(call: Call) -> str:
    return str(call.user.username)


def get_list(call: Call) -> Any:
    return client.get_list(
        call.user,
        _required(call, "doctype"),
        fields=call.arg("fields"),
        filters=call.arg("filters"),
        or_filters=call.arg("or_filters"),
        order_by=call.arg("order_by"),
        limit_start=call.arg("limit_start"),
        limit_page_length=call.arg("limit_page_length", call.arg("limit")),
        as_dict=call.arg("as_dict", True),
    )


def get_count(call: Call) -> int:
    return client.get_count(
        call.user,
        _required(call, "doctype"),
        filters=call.arg("filters"),
        or_filters=call.arg("or_filters"),
    )


def get(call: Call) -> dict[str, Any]:
    doctype = _required(call, "doctype")
    name = call.arg("name")
    if name in (None, ""):
        meta = client.resolve(doctype)
        name = client.find_name(call.user, meta, _required(call, "filters"))
    return client.get_doc(call.user, doctype, name)


def get_value(call: Call) -> Any:
    return client.get_value(
        call.user,
        _required(call, "doctype"),
        _required(call, "fieldname"),
        call.arg("filters", call.arg("name")),
        as_dict=call.arg("as_dict", True),
    )


def set_value(call: Call) -> dict[str, Any]:
    return client.set_value(
        call.user,
        _required(call, "doctype"),
        _required(call, "name"),
        _required(call, "fieldname"),
        call.arg("value"),
    )


def insert(call: Call) -> dict[str, Any]:
    return client.insert(call.user, _required(call, "doc"))


def insert_many(call: Call) -> list[str]:
    return client.insert_many(call.user, _required(call, "docs"))


def save(call: Call) -> dict[str, Any]:
    doc = _required(call, "doc")
    if not isinstance(doc, dict):
        raise errors.ValidationError(_("单据内容应为 JSON 对象"))
    return client.save(call.user, doc.get("doctype"), doc.get("name"), doc, submit_draft=True)


def submit(call: Call) -> dict[str, Any]:
    return client.submit(call.user, _required(call, "doc"))


def cancel(call: Call) -> dict[str, Any]:
    return client.cancel(call.user, _required(call, "doctype"), _required(call, "name"))


def delete(call: Call) -> None:
    client.delete(call.user, _required(call, "doctype"), _required(call, "name"))


METHODS: dict[str, Method] = {
    "login": Method(api_login, frozenset({"POST"}), allow_guest=True, summary="用户名密码登录"),
    "logout": Method(api_logout, frozenset({"GET", "POST"}), allow_guest=True, summary="退出登录"),
    "frappe.auth.get_logged_user": Method(get_logged_user, READ, summary="当前登录用户"),
    "frappe.client.get_list": Method(get_list, READ, summary="查询单据列表"),
    "frappe.client.get_count": Method(get_count, READ, summary="统计单据数量"),
    "frappe.client.get": Method(get, READ, summary="读取一张单据"),
    "frappe.client.get_value": Method(get_value, READ, summary="读取字段值"),
    "frappe.client.set_value": Method(set_value, WRITE, summary="修改字段值"),
    "frappe.client.insert": Method(insert, WRITE, summary="新建单据"),
    "frappe.client.insert_many": Method(insert_many, WRITE, summary="批量新建单据"),
    "frappe.client.save": Method(save, WRITE, summary="保存单据"),
    "frappe.client.submit": Method(submit, WRITE, summary="提交单据"),
    "frappe.client.cancel": Method(cancel, WRITE, summary="作废单据"),
    "frappe.client.delete": Method(delete, WRITE | frozenset({"DELETE"}), summary="删除草稿"),
    "frappe.desk.form.utils.add_comment": Method(
        dm.add_comment, WRITE, summary="在单据动态中发表评论"
    ),
    "upload_file": Method(dm.upload_file, WRITE, summary="上传文件（可附到单据）"),
    "school_logistics.documents.amend": Method(dm.amend, WRITE, summary="修订已作废的单据"),
    "frappe.model.workflow.get_transitions": Method(
        wf.get_transitions, READ, summary="当前可执行的审批操作"
    ),
    "frappe.model.workflow.apply_workflow": Method(
        wf.apply_workflow,
        WRITE,
        summary="执行审批操作（同意/拒绝/退回/提交审批/撤回），可附意见；doc 中的字段随提交审批保存，随需填写字段的步骤的同意保存",
    ),
    "frappe.utils.print_format.download_pdf": Method(
        wf.download_pdf, READ, summary="下载单据 PDF（含审批记录）"
    ),
    "school_logistics.approvals.inbox": Method(
        wf.inbox_list,
        READ,
        summary="我的审批（各分类数量与列表；limit_start、limit_page_length 分页，每页默认 50 条）",
    ),
    "school_logistics.approvals.trail": Method(wf.trail, READ, summary="单据的审批记录"),
    "school_logistics.approvals.transfer": Method(wf.transfer, WRITE, summary="转交审批"),
    "school_logistics.approvals.add_approver": Method(wf.add_approver, WRITE, summary="加签"),
    "school_logistics.approvals.urge": Method(wf.urge, WRITE, summary="催办"),
}


@api_view(methods=ANY, auth=False)
def method_view(call: Call, method: str) -> HttpResponse:
    """Run a whitelisted method by its dotted name."""
    entry = METHODS.get(method)
    if entry is None:
        raise errors.DoesNotExistError(_("没有这个接口方法：%(m)s") % {"m": method[:140]})
    if call.request.method not in entry.http_methods:
        raise errors.MethodNotAllowed(
            _("%(name)s 不支持 %(m)s 请求") % {"name": method, "m": call.request.method}
        )
    if not entry.allow_guest and not call.caller.is_authenticated:
        raise errors.AuthenticationError(_("请先登录或提供 API 密钥"))
    result = entry.func(call)
    if isinstance(result, HttpResponse):
        return result
    return json_response({"message": result})
