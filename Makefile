# service_care: `make run` serves a demo shop, `make test` runs the whole suite,
# `make lint` runs pre-commit. Odoo 18.0 must be importable by python3.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
BUILD := .build
CONF := $(BUILD)/odoo.conf
DEMO_DB ?= service_care_demo
TEST_DB ?= service_care_test
# The glue addon for OCA queue_job is tested on a database of its own: the
# main suite proves service_care alone, with plain crons.
QJ_TEST_DB ?= service_care_qj_test
HTTP_PORT ?= 8069
# The addons service_care depends on, the wire transfer the checkout tour pays
# with, the Dashboards app and the loyalty programs, cached as a template
# database.
DEPENDS := sale_management,sale_stock,website_sale_stock,sms,portal,payment_custom,spreadsheet_dashboard,loyalty
# The addon, its dashboard (auto-installed with the Dashboards app) and its
# birthday coupons (auto-installed with the loyalty programs).
ADDONS := service_care,service_care_dashboard,service_care_loyalty
PYTEST_ARGS ?=

.PHONY: help run test lint bootstrap conf reset-demo clean

help:
	@echo "make run         serve the demo shop on http://localhost:$(HTTP_PORT) (admin / admin)"
	@echo "make test        run the whole test suite on a fresh database"
	@echo "make lint        run pre-commit (ruff, pylint-odoo, OCA hooks)"
	@echo "make reset-demo  drop the demo database so the next run creates it again"

conf:
	@$(PYTHON) scripts/odoo_conf.py $(CONF)

bootstrap: conf
	@bash scripts/bootstrap.sh

run: bootstrap
	@if ! psql -d postgres -Atc "select 1 from pg_database where datname = '$(DEMO_DB)'" | grep -q 1; then \
		echo "Creating the database $(DEMO_DB) with the demo shop (a few minutes, once)"; \
		$(PYTHON) -m odoo -c $(CONF) -d $(DEMO_DB) -i $(ADDONS),payment_custom --stop-after-init; \
	else \
		echo "Updating the addons in the database $(DEMO_DB)"; \
		missing=$$(for module in $$(echo $(ADDONS),payment_custom | tr , ' '); do \
			psql -d $(DEMO_DB) -Atc "select 1 from ir_module_module where name = '$$module' and state = 'installed'" \
				| grep -q 1 || printf '%s,' $$module; \
		done); \
		$(PYTHON) -m odoo -c $(CONF) -d $(DEMO_DB) -u $(ADDONS) \
			$${missing:+-i $${missing%,}} --stop-after-init; \
	fi
	@$(PYTHON) scripts/demo_shop_payment.py -c $(CONF) -d $(DEMO_DB)
	@echo "Serving the demo shop on http://localhost:$(HTTP_PORT) (admin / admin)"
	$(PYTHON) -m tests_support.stack -- sh -c '$(PYTHON) scripts/sms_gateway_from_env.py \
		-c $(CONF) -d $(DEMO_DB) --base-url http://127.0.0.1:$(HTTP_PORT) && \
		exec $(PYTHON) -m odoo -c $(CONF) -d $(DEMO_DB) \
		--db-filter="^$(DEMO_DB)$$" --http-port=$(HTTP_PORT) --log-level=info \
		--smtp="$$SERVICE_CARE_SMTP_HOST" --smtp-port="$$SERVICE_CARE_SMTP_PORT"'

test: bootstrap
	@dropdb --if-exists $(TEST_DB)
	click-odoo-initdb -c $(CONF) -n $(TEST_DB) -m $(DEPENDS) --cache-prefix sctest --cache-max-size 3
	$(PYTHON) -m odoo -c $(CONF) -d $(TEST_DB) -i $(ADDONS) --stop-after-init
	@dropdb --if-exists $(QJ_TEST_DB)
	click-odoo-initdb -c $(CONF) -n $(QJ_TEST_DB) -m $(DEPENDS),queue_job --cache-prefix scqjtest --cache-max-size 2
	$(PYTHON) -m odoo -c $(CONF) -d $(QJ_TEST_DB) -i service_care_queue_job --stop-after-init
	@# pytest exits with 5 when PYTEST_ARGS selects no test of an addon
	$(PYTHON) -m tests_support.stack -- $(PYTHON) -m pytest -c pytest.ini --rootdir=. \
		--odoo-config=$(CONF) --odoo-database=$(TEST_DB) --odoo-http \
		service_care/tests service_care_dashboard/tests service_care_loyalty/tests \
		$(PYTEST_ARGS) || test $$? -eq 5
	$(PYTHON) -m tests_support.stack -- $(PYTHON) -m pytest -c pytest.ini --rootdir=. \
		--odoo-config=$(CONF) --odoo-database=$(QJ_TEST_DB) --odoo-http \
		service_care_queue_job/tests $(PYTEST_ARGS) || test $$? -eq 5

lint: bootstrap
	pre-commit run --all-files --show-diff-on-failure

reset-demo:
	dropdb --if-exists $(DEMO_DB)

clean:
	rm -rf $(BUILD)
