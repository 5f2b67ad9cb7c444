# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Local stand-ins for the shop's outside world: an SMTP sink, an SMPP SMSC
simulator behind a real Kannel, and the launcher that runs them around tests
and ``make run``."""
