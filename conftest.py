# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""pytest settings for the whole repository."""

import pytest

import odoo.modules.module


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Count a skipped test as a failed one.

    Odoo skips browser tours quietly when Chromium or websocket-client is
    missing, which would let a broken machine look green.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped:
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = f"skipped, which counts as a failure here: {reason}"


def pytest_runtest_setup(item):
    """Tell Odoo which test runs, as its own runner does.

    pytest-odoo leaves ``current_test`` unset on Odoo 18, and Odoo then
    behaves as in production where it checks it (real SMTP sending, bus).
    """
    odoo.modules.module.current_test = getattr(item, "instance", None)


def pytest_runtest_teardown(item):
    odoo.modules.module.current_test = None
