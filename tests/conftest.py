"""Session-wide fixtures. Each area keeps its fixtures in ``tests/fixtures/``."""

pytest_plugins = [
    "tests.fixtures.corpus",
    "tests.fixtures.release",
    "tests.fixtures.studio",
]
