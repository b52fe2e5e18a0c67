"""Benchmarks of ceasefire-news against floors doing the same class of work, and the gate over them.

``python -m bench.gate --quick`` reruns them at small sizes and fails when a ratio of CPU time
(project / floor, measured in the same run) regresses beyond the tolerance in
``bench/baseline.json``. See ``bench/README.md``.
"""
