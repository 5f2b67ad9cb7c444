# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import time
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import signed_link
from ..tools import waitlist as waitlist_tools
from ..tools.remembered import recall
from .service_care_batch_job import FanOut

STATES = [
    ("pending", "Awaiting Confirmation"),
    ("waiting", "Waiting"),
    ("notified", "Notified"),
    ("purchased", "Purchased"),
    ("out_again", "Out of Stock Again"),
    ("cancelled", "Cancelled"),
]
SOURCES = [
    ("shop", "Shop"),
    ("portal", "Customer Portal"),
    ("email", "Email Link"),
    ("backoffice", "Back Office"),
]
OPEN_STATES = ("pending", "waiting")
MIN_FREE_PARAM = "service_care.waitlist_min_free_qty"
# Signed links sent by email: their scope and how long they work.
LINK_TTL = {"confirm": timedelta(days=3), "again": timedelta(days=30)}
# A visitor asking again for the same address gets another confirmation
# email after this long, not before (nobody floods an inbox through us).
CONFIRM_RESEND = timedelta(hours=1)


class ServiceCareWaitlist(models.Model):
    """A customer waiting for a variant to be back in stock.

    Detection (:meth:`_care_detect`) puts the customers whose variants are
    back into one ``service.care.waitlist.notice`` per customer and round,
    which the back-in-stock scenario walks through its steps.
    """

    _name = "service.care.waitlist"
    _description = "Back-in-Stock Waitlist"
    _order = "subscribed_at desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    product_id = fields.Many2one(
        "product.product",
        "Variant",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_storable", "=", True)],
    )
    product_tmpl_id = fields.Many2one(
        related="product_id.product_tmpl_id", store=True, string="Product"
    )
    website_id = fields.Many2one(
        "website",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env["website"].get_current_website(),
        help="Stock is counted in the warehouse this website sells from.",
    )
    company_id = fields.Many2one(
        related="website_id.company_id", store=True, index=True
    )
    source = fields.Selection(SOURCES, required=True, default="backoffice")
    state = fields.Selection(
        STATES, required=True, default="waiting", index=True, readonly=True
    )
    subscribed_at = fields.Datetime(
        "Waiting Since",
        default=fields.Datetime.now,
        readonly=True,
        help="Customers are told in this order when few units come back.",
    )
    confirmation_sent_at = fields.Datetime(readonly=True)
    notified_at = fields.Datetime(readonly=True)
    settled_at = fields.Datetime(
        "Window Ended At",
        readonly=True,
        help="When the buying window after the notice ended; until then the "
        "customer holds one of the free units.",
    )
    purchased_at = fields.Datetime(readonly=True)
    out_again_at = fields.Datetime(readonly=True)
    cancelled_at = fields.Datetime(readonly=True)
    notice_id = fields.Many2one(
        "service.care.waitlist.notice",
        "Back-in-Stock Notice",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    message_ids = fields.One2many(related="notice_id.message_ids", string="Messages")
    order_id = fields.Many2one(
        "sale.order", "Purchase", readonly=True, ondelete="set null"
    )
    attribution = fields.Selection(
        [("direct", "Direct (clicked)"), ("assisted", "Assisted (seen)")],
        readonly=True,
    )
    revenue = fields.Monetary(readonly=True, help="What the customer paid for it.")
    currency_id = fields.Many2one(related="company_id.currency_id")
    # One (0 or 1) per line: the pivot and graph views sum them per variant.
    waiting_count = fields.Integer("Waiting", compute="_compute_metrics", store=True)
    notified_count = fields.Integer("Notified", compute="_compute_metrics", store=True)
    # Apart from the others: a notice's new message marks them to recompute,
    # and a send creates thousands.
    opened_count = fields.Integer("Opened", compute="_compute_engagement", store=True)
    clicked_count = fields.Integer("Clicked", compute="_compute_engagement", store=True)
    bought_direct_count = fields.Integer(
        "Bought (direct)", compute="_compute_metrics", store=True
    )
    bought_assisted_count = fields.Integer(
        "Bought (assisted)", compute="_compute_metrics", store=True
    )
    # What the messages show
    price = fields.Monetary(
        compute="_compute_price", currency_field="price_currency_id"
    )
    price_currency_id = fields.Many2one("res.currency", compute="_compute_price")
    product_name = fields.Char(compute="_compute_product_name")
    image_url = fields.Char(compute="_compute_shop_links")
    product_url = fields.Char(compute="_compute_shop_links")
    cart_url = fields.Char(compute="_compute_shop_links")
    # Signed links have computes of their own: an email that shows none of
    # them signs none.
    confirm_url = fields.Char(compute="_compute_confirm_url")
    resubscribe_url = fields.Char(compute="_compute_resubscribe_url")

    def init(self):
        # One open request per customer, variant and website.
        self.env.cr.execute(
            SQL(
                """
            CREATE UNIQUE INDEX IF NOT EXISTS service_care_waitlist_open_uniq
                ON service_care_waitlist (partner_id, product_id, website_id)
             WHERE state IN ('pending', 'waiting')
            """
            )
        )

    @api.depends("partner_id", "product_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = (
                f"{line.product_id.display_name} - {line.partner_id.display_name}"
            )

    @api.depends("state", "notified_at", "attribution")
    def _compute_metrics(self):
        for line in self:
            bought = line.state == "purchased"
            line.waiting_count = int(line.state == "waiting")
            line.notified_count = int(bool(line.notified_at))
            line.bought_direct_count = int(bought and line.attribution == "direct")
            line.bought_assisted_count = int(bought and line.attribution != "direct")

    @api.depends("notice_id.opened_at", "notice_id.clicked_at")
    def _compute_engagement(self):
        for line in self:
            line.opened_count = int(bool(line.notice_id.opened_at))
            line.clicked_count = int(bool(line.notice_id.clicked_at))

    @api.depends("product_id", "partner_id", "website_id")
    def _compute_price(self):
        prices = self._care_prices()
        for line in self:
            line.price, line.price_currency_id = prices[line]

    @api.depends_context("lang")
    @api.depends("product_id")
    def _compute_product_name(self):
        names = self._care_variant_values("display_name")
        for line in self:
            line.product_name = names[line.product_id.id]

    @api.depends_context("lang")
    @api.depends("product_id", "website_id")
    def _compute_shop_links(self):
        bases = {}  # per website: a send shows thousands of lines of a few
        paths = self._care_variant_values("website_url")
        for line in self:
            website = line.website_id
            if website not in bases:
                bases[website] = website.get_base_url()
            base = bases[website]
            product_id = line.product_id.id
            line.image_url = f"{base}/web/image/product.product/{product_id}/image_256"
            line.product_url = f"{base}{paths[product_id]}"
            line.cart_url = f"{base}/shop/care/cart?product_ids={product_id}"

    def _care_variant_values(self, field_name):
        """{variant id: its ``field_name`` in this language and company}, for
        the variants of these lines, each read once per cron call (``recall``)."""
        scope = (self.env.lang, self.env.company.id)
        values = recall(
            f"variant {field_name}",
            [(*scope, product_id) for product_id in self.product_id.ids],
            lambda keys: {
                (*scope, product.id): product[field_name]
                for product in self.env["product.product"].browse(
                    [key[-1] for key in keys]
                )
            },
        )
        return {key[-1]: value for key, value in values.items()}

    @api.depends("partner_id", "website_id")
    def _compute_confirm_url(self):
        for line in self:
            line.confirm_url = bool(line._origin) and line._care_signed_url("confirm")

    @api.depends("partner_id", "website_id")
    def _compute_resubscribe_url(self):
        for line in self:
            line.resubscribe_url = bool(line._origin) and line._care_signed_url("again")

    def _care_prices(self):
        """{line: (price, currency)}: what each customer pays, per pricelist
        in one go (each variant's price once per cron call: ``recall``)."""
        prices = {}
        for company, lines in self.grouped("company_id").items():
            # Each customer's pricelist once, all in one environment (a line
            # at a time made an environment, and a compute, per line).
            pricelists = {
                partner.id: partner.property_product_pricelist
                for partner in lines.partner_id.with_company(company)
            }
            by_pricelist = lines.grouped(
                lambda line, pricelists=pricelists: pricelists[line.partner_id.id]
            )
            for pricelist, group in by_pricelist.items():
                currency = pricelist.currency_id or company.currency_id
                amounts = recall(
                    "price",
                    [(company.id, pricelist.id, p.id) for p in group.product_id],
                    lambda keys, pricelist=pricelist: self._care_price_of(
                        pricelist, keys
                    ),
                )
                for line in group:
                    key = (company.id, pricelist.id, line.product_id.id)
                    prices[line] = (amounts[key], currency)
        return prices

    def _care_price_of(self, pricelist, keys):
        """{key: price} of the variants of ``keys`` ``(company id, pricelist
        id, variant id)``, all of ``pricelist``."""
        products = self.env["product.product"].browse([key[2] for key in keys])
        if pricelist:
            amounts = pricelist._get_products_price(products, 1.0)
        else:
            amounts = {product.id: product.lst_price for product in products}
        return {key: amounts[key[2]] for key in keys}

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if any(line.state == "waiting" for line in lines):
            self._care_trigger_detection()
        return lines

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_cancel(self):
        """Take the customers off the waitlist (they asked, or left)."""
        self.filtered(lambda line: line.state in OPEN_STATES).write(
            {"state": "cancelled", "cancelled_at": fields.Datetime.now()}
        )

    def action_confirm(self):
        """Confirm for the customer (who asked by phone, say)."""
        self._care_confirm()

    def action_wait_again(self):
        """Put the customers back on the waitlist of these variants."""
        return self._care_wait_again("backoffice")

    # ------------------------------------------------------------------
    # Subscribing
    # ------------------------------------------------------------------

    @api.model
    def _care_subscribe(self, partner, product, website, source, confirmed=True):
        """Put ``partner`` on the waitlist of ``product`` once; return the line.

        An open line (pending or waiting) is reused: asking twice changes
        nothing, and confirming a pending line makes it wait.
        """
        domain = [
            ("partner_id", "=", partner.id),
            ("product_id", "=", product.id),
            ("website_id", "=", website.id),
            ("state", "in", OPEN_STATES),
        ]
        line = self.search(domain, limit=1)
        if not line:
            try:
                with self.env.cr.savepoint():
                    line = self.create(
                        {
                            "partner_id": partner.id,
                            "product_id": product.id,
                            "website_id": website.id,
                            "source": source,
                            "state": "pending",
                        }
                    )
            except psycopg2.IntegrityError:
                # A double click: the other request created it.
                line = self.search(domain, limit=1)
                if not line:
                    raise
        if confirmed:
            line._care_confirm()
        return line

    @api.model
    def _care_request(self, email, product, website):
        """Someone asks on the shop to be told at ``email``: the owner of the
        address confirms first, through a signed link sent to it."""
        partner = self.env["res.partner"]._mail_find_partner_from_emails(
            [email], force_create=True
        )[0]
        line = self._care_subscribe(partner, product, website, "shop", confirmed=False)
        resend_before = fields.Datetime.now() - CONFIRM_RESEND
        # One confirmation per address and hour, whatever the product: nobody
        # can flood an address by asking for many products.
        recently_asked = self.search_count(
            [
                ("partner_id", "=", partner.id),
                ("confirmation_sent_at", ">=", resend_before),
            ],
            limit=1,
        )
        if line.state == "pending" and not recently_asked:
            line._care_send_confirmation()
        return line

    def _care_send_confirmation(self):
        template = self.env.ref("service_care.mail_template_waitlist_confirm")
        self.env["service.care.message"].send_template(
            template, self, "email", "transactional"
        )
        self.confirmation_sent_at = fields.Datetime.now()

    def _care_confirm(self):
        pending = self.filtered(lambda line: line.state == "pending")
        if pending:
            pending.write({"state": "waiting", "subscribed_at": fields.Datetime.now()})
            self._care_trigger_detection()

    def _care_confirm_address(self):
        """The owner of the address confirmed: every product they asked for
        on that website meanwhile waits too (one email per hour covers all)."""
        self.ensure_one()
        self.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("website_id", "=", self.website_id.id),
                ("state", "=", "pending"),
            ]
        )._care_confirm()

    def _care_wait_again(self, source):
        """Open lines for the same customers and variants; return them."""
        return self.browse(
            [
                self._care_subscribe(
                    line.partner_id, line.product_id, line.website_id, source
                ).id
                for line in self
            ]
        )

    # ------------------------------------------------------------------
    # Signed links (double opt-in, wait again)
    # ------------------------------------------------------------------

    def _care_link_subject(self):
        self.ensure_one()
        return (self.id, self.partner_id.id)

    def _care_signed_url(self, scope):
        self.ensure_one()
        expires = int(time.time() + LINK_TTL[scope].total_seconds())
        token = self.env["service.care.signed.link"]._care_sign(
            f"waitlist.{scope}", self._care_link_subject(), expires
        )
        return (
            f"{self.website_id.get_base_url()}/shop/care/waitlist/"
            f"{scope}/{self.id}/{expires}/{token}"
        )

    @api.model
    def _care_from_token(self, scope, line_id, expires, token):
        """The line a link was signed for, if it is genuine and not expired."""
        if scope not in LINK_TTL:
            return self.browse()
        # sudo: the visitor may be anonymous; the HMAC token proves the link
        # was emailed to the line's customer.
        line = self.sudo().browse(int(line_id)).exists()
        if not line:
            return self.browse()
        verdict = self.env["service.care.signed.link"]._care_verify(
            f"waitlist.{scope}", [line._care_link_subject()], token, int(expires)
        )
        return line if verdict == signed_link.VALID else self.browse()

    # ------------------------------------------------------------------
    # Detection: who is told in this round
    # ------------------------------------------------------------------

    @api.model
    def _care_trigger_detection(self):
        self.env.ref("service_care.ir_cron_service_care_waitlist_detect")._trigger()

    @api.model
    def _care_stock_changed(self, product_ids):
        """Free stock of these variants rose: look at their waitlists now."""
        waiting = self.search_count(
            [("product_id", "in", list(product_ids)), ("state", "=", "waiting")],
            limit=1,
        )
        if waiting:
            self._care_trigger_detection()

    @api.model
    def _care_free_qty(self, pairs):
        """{(variant id, website id): free quantity} for (variant, website) pairs."""
        by_website = defaultdict(lambda: self.env["product.product"])
        for product, website in pairs:
            by_website[website] |= product
        free = {}
        for website, products in by_website.items():
            qty = products._care_free_qty(website)
            free.update({(pid, website.id): q for pid, q in qty.items()})
        return free

    @api.model
    def _cron_detect(self, batch_size=500):
        """Tell the waiting customers whose variants are back, a batch at a time.

        Each batch is one restock round for up to ``batch_size`` customers,
        committed on its own (``service.care.batch.job``); the cron is
        triggered by stock changes and runs hourly as a safety sweep.
        """
        # The round is selected once per call and handed out a batch at a
        # time (selecting it again for every batch read every waiting line
        # again); the next call selects anew with the stock as it is then.
        selection = {}

        def chosen():
            if "round" not in selection:
                scenario = self._care_scenario()
                selection["round"] = self._care_select_round() if scenario else []
            return selection["round"]

        return self.env["service.care.batch.job"]._care_run_batches(
            claim=lambda limit: self._care_claim_from(chosen(), limit),
            process=lambda groups: len(self._care_notify(groups)),
            remaining=lambda: len(chosen()),
            batch_size=batch_size,
            cron="service_care.ir_cron_service_care_waitlist_detect",
            # the scenario runner starts on the first customers at once
            first_batch=max(batch_size // 8, 1),
            fan_out=FanOut(
                self._name,
                "_cron_detect",
                "messages",
                "waitlist_rounds",
                {"batch_size": batch_size},
            ),
        )

    @api.model
    def _care_detect(self, limit=None):
        """One restock round: a notice per customer whose variants are back.

        Available means at least ``service_care.waitlist_min_free_qty`` units
        free in the website's warehouse; no more customers than free units are
        told at a time, the longest waiting first (``tools.waitlist``).
        Idempotent and safe with concurrent workers: the lines are claimed
        ``FOR UPDATE SKIP LOCKED`` and leave the ``waiting`` state in the same
        transaction as their notice and its scenario run are created, so a
        second run (or worker) finds nothing left to send.

        :return: the notices created (each started in the scenario).
        """
        return self._care_notify(self._care_claim_round(limit)[0])

    @api.model
    def _care_scenario(self):
        scenario = self.env.ref(
            "service_care.service_care_scenario_waitlist", raise_if_not_found=False
        )
        return scenario if scenario and scenario.active else None

    @api.model
    def _care_claim_round(self, limit=None):
        """Claim up to ``limit`` customers of this round.

        :return: ``([((customer, website), [line ids])], customers in the round)``
        """
        if not self._care_scenario():
            return [], 0
        chosen = self._care_select_round()
        total = len(chosen)
        return self._care_claim_from(chosen, limit), total

    @api.model
    def _care_claim_from(self, chosen, limit=None):
        """Claim the next customers of ``chosen`` (a selected round, which
        loses them), up to ``limit``, skipping those another worker holds.

        :return: ``[((customer, website), [line ids])]``
        """
        while chosen:
            groups = chosen[:limit]
            del chosen[: len(groups)]
            claimed = self._care_claim(
                [line_id for _key, ids in groups for line_id in ids]
            )
            groups = [(key, [i for i in ids if i in claimed]) for key, ids in groups]
            groups = [(key, ids) for key, ids in groups if ids]
            if groups:
                return groups
        return []

    @api.model
    def _care_notify(self, groups):
        """One notice per claimed customer, started in the scenario."""
        Notice = self.env["service.care.waitlist.notice"]
        notices = Notice.create(
            [
                {"partner_id": partner_id, "website_id": website_id}
                for (partner_id, website_id), _ids in groups
            ]
        )
        pairs = [
            (line_id, notice.id)
            for notice, (_key, ids) in zip(notices, groups, strict=True)
            for line_id in ids
        ]
        if pairs:
            # Each line's notice in one statement, not a write per customer.
            # Its figures need no recompute for it: a new notice has no open
            # or click yet; the write below recomputes the others.
            self.env.cr.execute(
                SQL(
                    "UPDATE service_care_waitlist w SET notice_id = v.notice_id "
                    "FROM (VALUES %s) AS v(id, notice_id) WHERE w.id = v.id",
                    SQL(", ").join(SQL("(%s, %s)", *pair) for pair in pairs),
                )
            )
        lines = self.browse([line_id for line_id, _notice_id in pairs])
        lines.invalidate_recordset(["notice_id"])
        notices.invalidate_recordset(["waitlist_ids"])
        lines.write({"state": "notified", "notified_at": fields.Datetime.now()})
        if notices:
            self._care_scenario()._enroll(notices)
        return notices

    @api.model
    def _care_select_round(self):
        """[((customer, website), [line ids])] to tell in this round.

        Reads the waiting lines, the free stock of their variants and the
        customers told before who still hold units; ``tools.waitlist`` picks.
        """
        pairs = self._read_group(
            self._care_waiting_domain(), ["product_id", "website_id"]
        )
        free = self._care_free_qty(pairs)
        # sudo: a setting of the shop, read by the detection of any user.
        min_free = float(
            self.env["ir.config_parameter"].sudo().get_param(MIN_FREE_PARAM) or 1
        )
        products = [
            product_id
            for (product_id, _website_id), qty in free.items()
            if waitlist_tools.is_available(qty, min_free)
        ]
        if not products:
            return []
        outstanding = {
            (product.id, website.id): count
            for product, website, count in self._read_group(
                [
                    ("state", "=", "notified"),
                    ("settled_at", "=", False),
                    ("product_id", "in", products),
                ],
                ["product_id", "website_id"],
                ["__count"],
            )
        }
        lines = self.search_fetch(
            [*self._care_waiting_domain(), ("product_id", "in", products)],
            ["product_id", "website_id", "partner_id", "subscribed_at"],
        )
        entries = [
            waitlist_tools.Entry(
                line.id,
                (line.product_id.id, line.website_id.id),
                (line.partner_id.id, line.website_id.id),
                line.subscribed_at,
            )
            for line in lines
        ]
        chosen = waitlist_tools.select_round(entries, free, outstanding, min_free)
        groups = waitlist_tools.group_by_customer(chosen)
        return [(key, [entry.id for entry in group]) for key, group in groups.items()]

    @api.model
    def _care_waiting_domain(self):
        """Lines to look at: waiting, for variants the shop still sells."""
        return [
            ("state", "=", "waiting"),
            ("product_id.active", "=", True),
            ("product_id.sale_ok", "=", True),
        ]

    def _care_claim(self, ids):
        """Lock the lines still waiting that no other worker holds; return their ids."""
        if not ids:
            return set()
        lines = self.env["service.care.batch.job"]._care_lock(
            self,
            SQL("id = ANY(%s) AND state = 'waiting'", ids),
            SQL("id"),
            len(ids),
        )
        return set(lines.ids)

    # ------------------------------------------------------------------
    # After the notice: bought, sold out again, or still deciding
    # ------------------------------------------------------------------

    def _care_settle(self, now):
        """End the buying window of these notified lines.

        Bought since the notice: ``purchased``, with the order, its revenue
        and whether the notice was clicked (direct) or only seen (assisted).
        Not bought and nothing free any more: ``out_again``. Either way the
        unit they held goes to the next customer in a later round.
        """
        lines = self.filtered(lambda line: line.state == "notified")
        if not lines:
            return
        purchases = lines._care_purchases()
        free = self._care_free_qty(
            [(line.product_id, line.website_id) for line in lines]
        )
        gone = self.browse()
        for line in lines:
            outcome = waitlist_tools.settle(
                line.id in purchases,
                free.get((line.product_id.id, line.website_id.id), 0),
            )
            if outcome == waitlist_tools.PURCHASED:
                line.write(line._care_purchase_vals(purchases[line.id], now))
            elif outcome == waitlist_tools.OUT_AGAIN:
                gone |= line
        gone.write({"state": "out_again", "out_again_at": now})
        lines.filtered(lambda line: not line.settled_at).write({"settled_at": now})
        self._care_trigger_detection()

    def _care_purchases(self):
        """{line id: order lines of its variant confirmed by the customer since
        the notice}."""
        commercial = self.partner_id.commercial_partner_id
        order_lines = self.env["sale.order.line"].search(
            [
                ("state", "=", "sale"),
                ("product_id", "in", self.product_id.ids),
                ("order_id.partner_id", "child_of", commercial.ids),
                ("order_id.date_order", ">=", min(self.mapped("notified_at"))),
            ],
            order="id",
        )
        purchases = {}
        for line in self:
            bought = order_lines.filtered(
                lambda ol, line=line: (
                    ol.product_id == line.product_id
                    and ol.order_id.partner_id.commercial_partner_id
                    == line.partner_id.commercial_partner_id
                    and ol.order_id.date_order >= line.notified_at
                )
            )
            if bought:
                purchases[line.id] = bought
        return purchases

    def _care_purchase_vals(self, order_lines, now):
        self.ensure_one()
        order = order_lines[:1].order_id
        order_lines = order_lines.filtered(lambda ol: ol.order_id == order)
        credited = self.notice_id.message_ids.filtered(
            lambda m: m.order_id == order and m.attribution == "direct"
        )
        revenue = sum(ol.price_subtotal for ol in order_lines) / (
            order.currency_rate or 1.0
        )
        return {
            "state": "purchased",
            "purchased_at": now,
            "order_id": order.id,
            "revenue": self.currency_id.round(revenue),
            "attribution": "direct" if credited else "assisted",
        }
