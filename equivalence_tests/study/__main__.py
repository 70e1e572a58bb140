"""`python -m equivalence_tests.study report|diff NAME`: see equivalence_tests/study/cli.py."""

import sys

from equivalence_tests.study.cli import main

sys.exit(main())
