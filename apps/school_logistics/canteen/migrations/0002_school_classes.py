"""Classes became records (班级, which the students and the per-class documents name by their
class name within the school): give every school a 班级 for each class name its students and
documents already use, so they stay valid. A name two schools use gives each school its own.
Their 班主任 is left for the school to fill in. The search rows of the new records are written
after `migrate`, with the DocType (core's post_migrate)."""

from django.db import migrations

SCHOOL_CLASS = "School Class"
NAMING_A_CLASS = (
    "Student",
    "Meal Fee Refund",
    "Meal Fee Collection",
    "Student Aid",
    "Student Supply Order",
)
# The series of the DocType's autoname "BJ-.####", as core.naming issues it: the prefix (no
# date part) and the number padded to four digits, so classes made later continue it.
PREFIX, DIGITS = "BJ-", 4
GRADES = (
    "一年级", "二年级", "三年级", "四年级", "五年级", "六年级",
    "七年级", "八年级", "九年级", "高一", "高二", "高三",
)  # fmt: skip
JUNIOR_GRADES = {"初一": "七年级", "初二": "八年级", "初三": "九年级"}


# A copy of canteen.classes as it is now: a migration keeps working when the app's code moves.
def normalize(value):
    return str(value or "").replace("（", "(").replace("）", ")").replace(" ", "").strip()


def grade_of(name):
    for grade in GRADES:
        if name.startswith(grade):
            return grade
    for prefix, grade in JUNIOR_GRADES.items():
        if name.startswith(prefix):
            return grade
    return None


def add_classes(apps, schema_editor):
    """Create each school's missing 班级, owned by whoever first named the class there."""
    Document = apps.get_model("core", "Document")
    NamingSeries = apps.get_model("core", "NamingSeries")
    kept = {
        (school_id, normalize(name))
        for school_id, name in Document.objects.filter(doctype=SCHOOL_CLASS).values_list(
            "school_id", "data__class_name"
        )
    }
    first = {}  # (school id, class name) → owner id of the oldest record naming it there
    named = (
        Document.objects.filter(doctype__in=NAMING_A_CLASS)
        .order_by("created", "pk")
        .values_list("school_id", "owner_id", "data__class_name")
    )
    for school_id, owner_id, class_name in named.iterator():
        name = normalize(class_name)
        if name and (school_id, name) not in kept:
            first.setdefault((school_id, name), owner_id)
    if not first:
        return
    series, _created = NamingSeries.objects.select_for_update().get_or_create(prefix=PREFIX)
    start = series.current
    series.current = start + len(first)
    series.save(update_fields=["current"])
    Document.objects.bulk_create(
        Document(
            doctype=SCHOOL_CLASS,
            name=f"{PREFIX}{number:0{DIGITS}d}",
            school_id=school_id,
            owner_id=owner_id,
            modified_by_id=owner_id,
            title=name,
            data={
                "class_name": name,
                "grade": grade_of(name),
                "class_teacher": None,
                "classroom": None,
            },
        )
        for number, ((school_id, name), owner_id) in enumerate(sorted(first.items()), start + 1)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("canteen", "0001_published_months"),
        ("core", "0010_user_must_change_password"),
    ]
    operations = [migrations.RunPython(add_classes, migrations.RunPython.noop)]
