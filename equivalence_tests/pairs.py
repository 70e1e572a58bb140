"""Every pair the main job verifies. Add yours here: one line, next to the others."""

from equivalence_tests.registry import pair
from equivalence_tests.strategies import key_of

# Reads from the guide's "Query Construction" and "Scalar Variants and Cardinality".
pair("repositories:get_active_users", ordered_by="created_at")
pair("repositories:get_user_orders", user_id=key_of("users"))
pair("repositories:get_product_by_sku", sku=key_of("products", "sku"))
pair("repositories:require_tenant", slug=key_of("tenants", "slug"))
pair("repositories:count_pending_orders", tenant_id=key_of("tenants"))
