"""Security tests reuse the admin fixtures (demo deal plus one row of each workflow record)."""

from tests.admin.conftest import demo, demo_with_records  # noqa: F401
