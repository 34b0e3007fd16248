"""水电能耗 reads the same number of statements however many meters and months are read."""

from __future__ import annotations

from school_logistics.core import services
from tests.energy.test_meter_readings import meters, months_ago, reading, submit  # noqa: F401
from tests.query_counts import page_statements


def test_the_energy_page_costs_the_same_as_meters_and_months_grow(client, users, meters):  # noqa: F811
    submit(users, reading(users, months_ago(2), {"DB-01": "1100", "DB-02": "210", "SB-01": "600"}))
    client.force_login(users["purchaser"])
    page_statements(client, "/app/energy/")
    before = page_statements(client, "/app/energy/")
    for n in range(5):
        services.create_document(
            "Meter",
            {"meter_no": f"DB-9{n}", "title": f"电表{n}", "kind": "电表", "building": f"楼{n}",
             "unit_price": "0.65", "start_reading": "0", "multiplier": "1"},
            actor=users["purchaser"],
        )  # fmt: skip
    submit(
        users,
        reading(
            users, months_ago(1), {m: "2000" for m in [*meters] + [f"DB-9{n}" for n in range(5)]}
        ),
    )
    assert page_statements(client, "/app/energy/") == before
