"""Generated datasets keep the schema's promises, and `rich` lines up deep chains."""

from hypothesis import given, settings
from hypothesis import strategies as st

from equivalence_tests.strategies import datasets, resolve, with_parents


def test_rich_tables_bring_the_parents_their_rows_cannot_exist_without():
    assert with_parents(("order_items",)) == {"order_items", "orders", "products", "users",
                                              "tenants"}
    assert with_parents(("invoices",)) == {"invoices", "orders", "users"}  # user_id is nullable


def test_children_of_an_empty_parent_are_dropped_and_unique_columns_keep_the_first_row():
    raw = {"tenants": [], "users": [{"id": 2, "tenant_id": 3, "email": "a"},
                                    {"id": 1, "tenant_id": 0, "email": "a"}],
           "products": [{"id": 1, "tenant_id": 0}], "orders": [], "order_items": [],
           "invoices": []}
    dataset = resolve(raw)
    assert dataset["products"] == []  # tenant_id is NOT NULL and there is no tenant
    assert dataset["users"] == [{"id": 1, "tenant_id": None, "email": "a"}]


@settings(max_examples=50, database=None)
@given(datasets(rich=("order_items",)), st.data())
def test_every_foreign_key_points_at_a_row_of_the_same_dataset(dataset, data):
    ids = {table: {row["id"] for row in rows} for table, rows in dataset.items()}
    for order in dataset["orders"]:
        assert order["user_id"] in ids["users"]
    for item in dataset["order_items"]:
        assert item["order_id"] in ids["orders"] and item["product_id"] in ids["products"]
