"""Studying the pairs: every migration side by side, in the terminal and as one HTML page.

`collect` runs the pairs and writes one JSON file (`data`); `terminal` and `html` only read it,
so the two views cannot disagree. `python -m equivalence_tests.study report|diff NAME`.
"""
