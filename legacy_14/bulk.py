"""Bulk writes in 1.4 style: Session.bulk_insert_mappings / bulk_update_mappings."""

from legacy_14.models import Product


def bulk_insert_products(session, products):
    """1.4: bulk_insert_mappings (no identity map, groups rows by their keys)."""
    session.bulk_insert_mappings(Product, products)
    session.commit()


def bulk_update_prices(session, updates):
    """1.4: returns None, raises StaleDataError on an unmatched key, so the count is len()."""
    session.bulk_update_mappings(Product, updates)
    session.commit()
    return len(updates)
