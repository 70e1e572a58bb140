"""Quality tests search from scratch: a failing example saved by an earlier run (of another
shape of the code) is replayed first and may shrink less far, which would make the asserted
sizes of counterexamples depend on the machine's `.hypothesis/` folder. The replay itself has
its own test, with its own example database."""

import os

from hypothesis import settings

settings.register_profile(
    "quality", parent=settings.get_profile(os.environ.get("WORKBENCH_PROFILE", "default")),
    database=None)
settings.load_profile("quality")
