"""What a database holds, as the driver sees it: table -> rows, each row column -> value.

A `Dataset` is what an example puts in (drawn from the schema); a `State` is what a side's
database held after a call (read back in primary-key order). One shape, two roles.
"""

from typing import Any

Dataset = dict[str, list[dict[str, Any]]]
State = dict[str, list[dict[str, Any]]]
