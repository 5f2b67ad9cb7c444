#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Write the Service Care dashboard (an Odoo spreadsheet) from this file.

Odoo Community cannot edit a dashboard, so its source is this script: change
it, run ``python3 scripts/build_dashboard.py`` and commit both files;
``--check`` (a pre-commit hook) fails when the JSON is not what it writes.

Every figure is a pivot or a list on the addon's own models; the rates are
the report's own measures (over delivered messages), never recomputed here.
"""

import json
import sys
from pathlib import Path

OUTPUT = (
    Path(__file__).resolve().parent.parent
    / "service_care_dashboard/data/files/service_care_dashboard.json"
)
SHEET = "Dashboard"
PERIOD = "a6b0c1d2-5e3f-4a71-9b2c-0d1e2f3a4b5c"
ROW_HEIGHT = 23
COL_WIDTHS = [250, 70, 80, 75, 85, 125, 75, 85, 85, 125, 90, 125]
REPORT = "service.care.message.report"
# The flows in the dashboard's table: as many rows as the report has flows.
FLOW_ROWS = 11
FLOW_COLUMNS = [
    # (header, measure, format)
    ("Sent", "sent_count", "int"),
    ("Delivered", "delivered_count", "int"),
    ("Opened", "opened_count", "int"),
    ("Open rate", "open_rate", "rate"),
    ("Proxy-only opens", "machine_open_rate", "rate"),
    ("Clicked", "clicked_count", "int"),
    ("Click rate", "click_rate", "rate"),
    ("Converted", "converted_count", "int"),
    ("Conversion rate", "conversion_rate", "rate"),
    ("Revenue", "revenue", "money"),
]
FORMATS = {"int": "1", "rate": "2", "money": "3"}
STYLES = {
    "title": "1",
    "header": "2",
    "label": "3",
    "total": "4",
}


def col(index):
    return chr(ord("A") + index)


def view_link(label, model, domain, view="list", context=None):
    """A cell opening the records behind a table, as Odoo's dashboards do."""
    action = {
        "viewType": view,
        "action": {
            "domain": domain,
            "context": context or {},
            "modelName": model,
            "views": [[False, view], [False, "form"]]
            if view == "list"
            else [[False, view], [False, "list"], [False, "search"]],
        },
        "threshold": 0,
        "name": label,
    }
    return f"[{label}](odoo://view/{json.dumps(action, separators=(',', ':'))})"


def pivot(pid, name, model, measures, *, rows=(), domain=(), date=None):
    matching = (
        {PERIOD: {"chain": date, "type": "datetime", "offset": 0}} if date else {}
    )
    return {
        "type": "ODOO",
        "id": str(pid),
        "formulaId": str(pid),
        "name": name,
        "model": model,
        "domain": list(domain),
        "context": {},
        "measures": [{"id": m, "fieldName": m} for m in measures],
        "rows": [{"fieldName": field} for field in rows],
        "columns": [],
        "sortedColumn": None,
        "fieldMatching": matching,
    }


def chart(fid, title, kind, *, groupby, measure, domain, box):
    """An Odoo graph of the results report; ``box`` is (x, y, width, height)."""
    x, y, width, height = box
    return {
        "id": fid,
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "tag": "chart",
        "data": {
            "title": {"text": title, "bold": True, "color": "#434343"},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "metaData": {
                "groupBy": groupby,
                "measure": measure,
                "order": None,
                "resModel": REPORT,
                "mode": kind,
            },
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": domain,
                "groupBy": groupby,
                "orderBy": [],
            },
            "type": f"odoo_{kind}",
            "verticalAxisPosition": "left",
            "stacked": True,
            "fillArea": False,
            "cumulative": False,
            "fieldMatching": {
                PERIOD: {"chain": "date", "type": "datetime", "offset": 0}
            },
        },
    }


def scorecard(fid, title, key_cell, x):
    return {
        "id": fid,
        "x": x,
        "y": 10,
        "width": 170,
        "height": 100,
        "tag": "chart",
        "data": {
            "type": "scorecard",
            "title": {"text": title, "bold": True, "color": "#434343"},
            "keyValue": f"{SHEET}!{key_cell}",
            "background": "#EFF6FF",
            "baselineMode": "text",
            "baselineColorUp": "#00A04A",
            "baselineColorDown": "#DC6965",
            "humanize": False,
        },
    }


class Sheet:
    """The dashboard's one sheet, with its data sources."""

    def __init__(self):
        self.cells, self.styles, self.formats, self.figures = {}, {}, {}, []
        self.pivots, self.lists = {}, {}

    def put(self, ref, content, style=None, fmt=None):
        self.cells[ref] = {"content": content}
        if style:
            self.styles[ref] = int(STYLES[style])
        if fmt:
            self.formats[ref] = int(FORMATS[fmt])

    def add_pivot(self, *args, **kwargs):
        source = pivot(len(self.pivots) + 1, *args, **kwargs)
        self.pivots[len(self.pivots) + 1] = source
        return len(self.pivots)

    @staticmethod
    def y(row):
        """Pixel top of a 1-based row."""
        return (row - 1) * ROW_HEIGHT


def t(text):
    return f'=_t("{text}")'


def flow_table(sheet, row):
    """Results by flow, the total row and the headline cards above them."""
    sheet.put(
        f"A{row}",
        view_link("Results by flow", REPORT, [], "pivot", {"group_by": ["flow"]}),
        "title",
    )
    flows = sheet.add_pivot(
        "Results by flow",
        REPORT,
        [measure for _h, measure, _f in FLOW_COLUMNS],
        rows=["flow"],
        date="date",
    )
    shop = sheet.add_pivot(
        "Shop revenue",
        "sale.report",
        ["price_subtotal"],
        domain=[["state", "not in", ["draft", "sent", "cancel"]]],
        date="date",
    )
    shop_revenue = f'PIVOT.VALUE({shop},"price_subtotal")'
    header = row + 1
    sheet.put(f"A{header}", t("Flow"), "header")
    for index, (label, _measure, _fmt) in enumerate(FLOW_COLUMNS, start=1):
        sheet.put(f"{col(index)}{header}", t(label), "header")
    revenue_col = col(len(FLOW_COLUMNS))
    share_col = col(len(FLOW_COLUMNS) + 1)
    sheet.put(f"{share_col}{header}", t("Share of revenue"), "header")
    for position in range(1, FLOW_ROWS + 1):
        line = header + position
        sheet.put(f"A{line}", f'=PIVOT.HEADER({flows},"#flow",{position})', "label")
        for index, (_label, measure, fmt) in enumerate(FLOW_COLUMNS, start=1):
            value = f'PIVOT.VALUE({flows},"{measure}","#flow",{position})'
            if fmt == "rate":
                value = f"{value}/100"
            sheet.put(f"{col(index)}{line}", f'=IF(A{line}="","",{value})', fmt=fmt)
        sheet.put(
            f"{share_col}{line}",
            f'=IF(A{line}="","",IFERROR({revenue_col}{line}/{shop_revenue},0))',
            fmt="rate",
        )
    total = header + FLOW_ROWS + 1
    sheet.put(f"A{total}", t("All flows"), "total")
    for index, (_label, measure, fmt) in enumerate(FLOW_COLUMNS, start=1):
        value = f'PIVOT.VALUE({flows},"{measure}")'
        if fmt == "rate":
            value = f"{value}/100"
        sheet.put(f"{col(index)}{total}", f"={value}", "total", fmt)
    sheet.put(
        f"{share_col}{total}",
        f"=IFERROR({revenue_col}{total}/{shop_revenue},0)",
        "total",
        "rate",
    )
    cards = [
        ("Delivered", f"C{total}"),
        ("Open rate", f"E{total}"),
        ("Click rate", f"H{total}"),
        ("Attributed revenue", f"K{total}"),
        ("Share of the shop's revenue", f"L{total}"),
    ]
    for index, (title, cell) in enumerate(cards):
        sheet.figures.append(
            scorecard(f"service-care-card-{index + 1}", title, cell, 10 + index * 185)
        )
    return total + 2


def trends(sheet, row):
    """Delivered messages and attributed revenue by week, flow by flow."""
    sheet.put(f"A{row}", t("Weekly trends"), "title")
    for index, (fid, title, kind, measure) in enumerate(
        [
            (
                "delivered-by-week",
                "Delivered messages by week",
                "line",
                "delivered_count",
            ),
            ("revenue-by-week", "Attributed revenue by week", "bar", "revenue"),
        ]
    ):
        sheet.figures.append(
            chart(
                f"service-care-{fid}",
                title,
                kind,
                groupby=["date:week", "flow"],
                measure=measure,
                domain=[],
                box=(index * 590, Sheet.y(row + 2), 580, 300),
            )
        )
    return row + 16


def carts_and_reach(sheet, row):
    """The predictive-cart funnel, and beside it who marketing can reach."""
    carts = [["care_predictive", "=", True]]
    sheet.put(
        f"A{row}",
        view_link(
            "Predictive carts",
            "sale.order",
            carts,
            "pivot",
            {"group_by": ["care_cart_state"]},
        ),
        "title",
    )
    by_state = sheet.add_pivot(
        "Predictive carts",
        "sale.order",
        ["__count"],
        rows=["care_cart_state"],
        domain=carts,
        date="care_cart_date",
    )
    opened = sheet.add_pivot(
        "Predictive carts opened",
        "sale.order",
        ["__count"],
        domain=[*carts, ["care_cart_visited_at", "!=", False]],
        date="care_cart_date",
    )
    state = f'PIVOT.VALUE({by_state},"__count","care_cart_state",'
    funnel = [
        ("Built", f'PIVOT.VALUE({by_state},"__count")'),
        ("Opened", f'PIVOT.VALUE({opened},"__count")'),
        ("Confirmed", f'{state}"confirmed")'),
        ("Postponed", f'{state}"postponed")'),
        ("Declined", f'{state}"declined")'),
        ("Ignored", f'{state}"expired")'),
        ("Waiting", f'{state}"open")'),
    ]
    sheet.put(f"A{row + 1}", t("Carts"), "header")
    sheet.put(f"B{row + 1}", t("Count"), "header")
    sheet.put(f"C{row + 1}", t("Of built"), "header")
    for offset, (label, formula) in enumerate(funnel, start=2):
        line = row + offset
        sheet.put(f"A{line}", t(label), "label")
        sheet.put(f"B{line}", f"={formula}", fmt="int")
        sheet.put(f"C{line}", f"=IFERROR(B{line}/B{row + 2},0)", fmt="rate")
    reach = [
        ("Reachable by email", "care_reach_email"),
        ("Reachable by SMS", "care_reach_sms"),
        ("Without a valid contact", "care_reach_none"),
        ("Opted out", "care_opted_out"),
    ]
    sheet.put(
        f"E{row}",
        view_link("Customers", "res.partner", [["sale_order_ids", "!=", False]]),
        "title",
    )
    sheet.put(f"E{row + 1}", t("Customers"), "header")
    sheet.put(f"H{row + 1}", t("Count"), "header")
    for offset, (label, field) in enumerate(reach, start=2):
        pid = sheet.add_pivot(
            label, "res.partner", ["__count"], domain=[[field, "=", True]]
        )
        sheet.put(f"E{row + offset}", t(label), "label")
        sheet.put(f"H{row + offset}", f'=PIVOT.VALUE({pid},"__count")', fmt="int")
    return row + len(funnel) + 3


def waitlists(sheet, row):
    """The most wanted sold-out products, and who has waited longest."""
    waiting = [["state", "=", "waiting"]]
    sheet.put(
        f"A{row}", view_link("Waitlists", "service.care.waitlist", waiting), "title"
    )
    wanted = sheet.add_pivot(
        "Waiting by product",
        "service.care.waitlist",
        ["__count"],
        rows=["product_id"],
        domain=waiting,
    )
    sheet.pivots[wanted]["sortedColumn"] = {
        "groupId": [[], []],
        "measure": "__count",
        "order": "desc",
    }
    sheet.lists["1"] = {
        "id": "1",
        "name": "Longest waiting",
        "model": "service.care.waitlist",
        "columns": ["partner_id", "product_id", "subscribed_at"],
        "domain": waiting,
        "context": {},
        "orderBy": [{"name": "subscribed_at", "asc": True}],
        "fieldMatching": {},
    }
    for ref, label in (
        ("A", "Product"),
        ("B", "Waiting"),
        ("E", "Longest waiting"),
        ("G", "For"),
        ("J", "Since"),
    ):
        sheet.put(f"{ref}{row + 1}", t(label), "header")
    for position in range(1, 11):
        line = row + 1 + position
        sheet.put(
            f"A{line}", f'=PIVOT.HEADER({wanted},"#product_id",{position})', "label"
        )
        sheet.put(
            f"B{line}", f'=PIVOT.VALUE({wanted},"__count","#product_id",{position})'
        )
        sheet.put(f"E{line}", f'=ODOO.LIST(1,{position},"partner_id")', "label")
        sheet.put(f"G{line}", f'=ODOO.LIST(1,{position},"product_id")')
        sheet.put(f"J{line}", f'=ODOO.LIST(1,{position},"subscribed_at")')
    return row + 13


def sms_cost(sheet, row):
    """What the SMS cost, by week and by gateway."""
    sms = [["channel", "=", "sms"], ["sms_gateway_id", "!=", False]]
    sheet.put(f"A{row}", t("SMS cost"), "title")
    cost = sheet.add_pivot("SMS cost", REPORT, ["cost"], domain=sms, date="date")
    sheet.put(f"A{row + 1}", t("Total SMS cost"), "label")
    sheet.put(f"B{row + 1}", f'=PIVOT.VALUE({cost},"cost")', "total", "money")
    sheet.figures.append(
        chart(
            "service-care-sms-cost",
            "SMS cost by week and gateway",
            "bar",
            groupby=["date:week", "sms_gateway_id"],
            measure="cost",
            domain=sms,
            box=(0, Sheet.y(row + 3), 1170, 280),
        )
    )
    return row + 17


def build():
    sheet = Sheet()
    row = 7  # the headline cards take the rows above
    for section in (flow_table, trends, carts_and_reach, waitlists, sms_cost):
        row = section(sheet, row)
    return {
        "version": 21,
        "odooVersion": 12,
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "sheets": [
            {
                "id": "service-care-dashboard",
                "name": SHEET,
                "colNumber": len(COL_WIDTHS),
                "rowNumber": row,
                "rows": {},
                "cols": {str(i): {"size": w} for i, w in enumerate(COL_WIDTHS)},
                "merges": [],
                "cells": dict(sorted(sheet.cells.items())),
                "styles": sheet.styles,
                "formats": sheet.formats,
                "borders": {},
                "conditionalFormats": [],
                "figures": sheet.figures,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            }
        ],
        "styles": {
            STYLES["title"]: {"textColor": "#01666b", "bold": True, "fontSize": 16},
            STYLES["header"]: {"bold": True, "fontSize": 11, "textColor": "#434343"},
            STYLES["label"]: {"textColor": "#434343"},
            STYLES["total"]: {"bold": True, "textColor": "#434343"},
        },
        "formats": {
            FORMATS["int"]: "#,##0",
            FORMATS["rate"]: "0.0%",
            FORMATS["money"]: "#,##0.00",
        },
        "borders": {},
        "pivots": {str(k): v for k, v in sorted(sheet.pivots.items())},
        "pivotNextId": len(sheet.pivots) + 1,
        "lists": sheet.lists,
        "listNextId": len(sheet.lists) + 1,
        "globalFilters": [
            {
                "id": PERIOD,
                "type": "date",
                "label": "Period",
                "defaultValue": "last_three_months",
                "rangeType": "relative",
            }
        ],
        "customTableStyles": {},
        "chartOdooMenusReferences": {},
    }


def render():
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main():
    if "--check" in sys.argv[1:]:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != render():
            print(f"{OUTPUT} is out of date: run python3 scripts/build_dashboard.py")
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
