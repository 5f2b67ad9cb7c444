/** @odoo-module **/
/* Copyright 2026 service_care contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0). */
import {registry} from "@web/core/registry";

const FLOWS = [
    "Replenishment",
    "Repeat order",
    "Back in stock",
    "Out of stock again",
    "Order messages",
    "Post-purchase",
    "New release",
    "Best-sellers digest",
    "Birthday",
    "Abandoned cart",
];

/** The spreadsheet model of the dashboard on screen. */
function dashboardModel() {
    const stack = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (stack.length) {
        const node = stack.pop();
        const component = node.component;
        if (component && component.constructor.name === "SpreadsheetDashboardAction") {
            return component.state.activeDashboard?.model;
        }
        stack.push(...Object.values(node.children));
    }
    return undefined;
}

/** Reads the dashboard as a user sees it: values under their labels. */
function readDashboard(model) {
    const sheetId = model.getters.getActiveSheetId();
    const cell = (col, row) => model.getters.getEvaluatedCell({sheetId, col, row});
    const rowOf = (col, label) => {
        for (let row = 0; row < 120; row++) {
            if (cell(col, row).value === label) {
                return row;
            }
        }
        throw new Error(`No "${label}" on the dashboard`);
    };
    const number = (col, row) => {
        const value = cell(col, row).value;
        return typeof value === "number" ? value : NaN;
    };
    const flows = {};
    const header = rowOf(0, "Flow");
    for (let row = header + 1; row < header + 12; row++) {
        const name = cell(0, row).value;
        if (name) {
            flows[name] = {sent: number(1, row), delivered: number(2, row)};
        }
    }
    const total = rowOf(0, "All flows");
    const carts = rowOf(0, "Built");
    const reach = rowOf(4, "Reachable by email");
    const waiting = rowOf(0, "Product");
    const sms = rowOf(0, "Total SMS cost");
    return {
        flows,
        delivered: number(2, total),
        openRate: number(4, total),
        clickRate: number(7, total),
        revenue: number(10, total),
        share: number(11, total),
        builtCarts: number(1, carts),
        confirmedCarts: number(1, carts + 2),
        reachableByEmail: number(7, reach),
        topWaited: number(1, waiting + 1),
        longestWaiting: cell(4, waiting + 1).value,
        smsCost: number(1, sms),
    };
}

function missingFigures(figures) {
    const missing = [];
    for (const flow of FLOWS) {
        const row = figures.flows[flow];
        if (!row || !(row.sent > 0) || !(row.delivered > 0)) {
            missing.push(`flow ${flow}: ${JSON.stringify(row)}`);
        }
    }
    for (const [name, value] of Object.entries(figures)) {
        if (name !== "flows" && !(value > 0) && !(typeof value === "string" && value)) {
            missing.push(`${name}: ${value}`);
        }
    }
    return missing;
}

registry.category("web_tour.tours").add("service_care_dashboard", {
    url: "/odoo/dashboards",
    steps: () => [
        {
            content: "Open the Service Care dashboard",
            trigger: ".o_search_panel_category_value[data-name='Service Care']",
            run: "click",
        },
        {
            content: "Its figures load, for every shipped flow",
            trigger: ".o_spreadsheet_dashboard_action .o-spreadsheet",
            run: async () => {
                let missing = ["nothing read yet"];
                for (let attempt = 0; attempt < 100 && missing.length; attempt++) {
                    await new Promise((resolve) => setTimeout(resolve, 200));
                    const model = dashboardModel();
                    if (model) {
                        missing = missingFigures(readDashboard(model));
                    }
                }
                if (missing.length) {
                    throw new Error(`Dashboard figures missing: ${missing.join("; ")}`);
                }
            },
        },
    ],
});
