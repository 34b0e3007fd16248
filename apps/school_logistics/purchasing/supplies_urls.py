"""征订汇总 and an order's reply slips, mounted under /app/student-supplies/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.purchasing import supplies_views

app_name = "student_supplies"
urlpatterns = [
    path("", supplies_views.summary, name="summary"),
    path("<str:name>/slips", supplies_views.slips, name="slips"),
    path("<str:name>/slips.pdf", supplies_views.slips_pdf, name="slips-pdf"),
]
