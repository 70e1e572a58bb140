"""A constraint the derived data cannot read (here an arithmetic CHECK) makes the database refuse
some datasets: those rows are dropped, counted per table and constraint, and the pair is still
compared on the rest, instead of the run failing or the rows slipping through."""

from equivalence_tests.harness.workbench import open_workbench
from equivalence_tests.registry import pair
from equivalence_tests.runner import check, demo
from equivalence_tests.strategies import key_of

UNREADABLE = ("ALTER TABLE tenants ADD CONSTRAINT tenants_name_short "
              "CHECK (char_length(name) + 0 < 2)")


def test_rows_refused_by_an_unreadable_check_are_dropped_reported_and_the_rest_compared():
    with open_workbench(demo()) as bench:
        for database in bench.databases:
            with database.conn.cursor() as cur:
                cur.execute(UNREADABLE)
        verdict = check(pair("repositories:require_tenant", {"slug": key_of("tenants", "slug")},
                             registry={}), bench, max_examples=60)
        assert verdict.status == "equivalent"
        lines = bench.refusals.lines(bench.catalog)
        (tenants,) = [line for line in lines if line.startswith("tenants: ")]
        assert "rows refused and dropped (tenants_name_short: " in tenants
        assert bench.refusals.dropped["tenants"] > 0
        # The rows of a dropped tenant go with it, refused by their foreign key, and say so.
        assert all("_fkey: " in line for line in lines if line != tenants)
