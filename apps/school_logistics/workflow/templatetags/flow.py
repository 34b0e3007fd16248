"""`{{ task.step_label|flow_text }}`: a flow's word in the page's language (see `flow_text`)."""

from __future__ import annotations

from django import template

from school_logistics.workflow.flows import flow_text

register = template.Library()
register.filter("flow_text", flow_text)
