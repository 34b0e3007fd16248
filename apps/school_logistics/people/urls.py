"""用户与部门 routes, mounted under /app/people/ before the desk's DocType routes."""

from django.urls import path

from school_logistics.people import views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("new", views.account_new, name="new"),
    path("password", views.own_password, name="password"),
    path("school", views.choose_school, name="choose-school"),
    path("schools/", views.school_list, name="schools"),
    path("import", views.roster_import, name="import"),
    path("import/template.xlsx", views.roster_template, name="import-template"),
    path("<int:pk>/", views.account_edit, name="edit"),
    path("<int:pk>/password", views.account_password, name="reset"),
    path("<int:pk>/active", views.account_active, name="active"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<int:pk>/", views.department_edit, name="department"),
    path("departments/<int:pk>/delete", views.department_delete, name="department-delete"),
]
