import { registry } from "@web/core/registry";

/**
 * Journey 2, the credit manager: from the activity menu, open the pending release request,
 * read the customer's shared notes on the order's Credit tab, and approve with a note.
 * Data: TestCreditTours.test_manager_approves_from_the_activity_and_the_salesperson_confirms.
 */
registry.category("web_tour.tours").add("credit_tour_release_approve", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the activity menu",
            trigger: ".o_menu_systray .o-dropdown:has(i[aria-label='Activities'])",
            run: "click",
        },
        {
            content: "Open the release requests to decide",
            trigger: ".o-mail-ActivityGroup[data-model_name='credit.release.request']",
            run: "click",
        },
        {
            content: "Open Acme's request",
            trigger: ".o_data_row td.o_data_cell:contains('Acme Customer')",
            run: "click",
        },
        {
            content: "The request says why the order is held",
            trigger: ".o_form_view .o_field_widget[name='hold_reasons']:contains('over the credit limit')",
        },
        {
            content: "Open the order",
            trigger: ".o_form_view button[name='action_open_order']",
            run: "click",
        },
        {
            content: "Open the order's Credit tab",
            trigger: ".o_notebook a[name='credit']",
            run: "click",
        },
        {
            content: "Read the notes the sales team shares on the customer",
            trigger:
                ".o_field_widget[name='credit_customer_note_ids'] .o_data_row:contains('Their new warehouse opens in March')",
        },
        {
            content: "Back to the request",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "Write the decision note",
            trigger: ".o_form_view .o_field_widget[name='decision_note'] textarea",
            run: "edit Approved: their notes show the business is growing.",
        },
        {
            content: "Approve",
            trigger: ".o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "The request is approved",
            trigger: ".o_form_statusbar .o_arrow_button_current:contains('Approved')",
        },
    ],
});

/**
 * Journey 2, the salesperson: the approved quotation says so, and Confirm confirms it.
 */
registry.category("web_tour.tours").add("credit_tour_release_confirm", {
    url: "/odoo/sales",
    steps: () => [
        {
            content: "Open Acme's quotation",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains('Acme Customer')",
            run: "click",
        },
        {
            content: "The credit team approved it",
            trigger: "div[name='credit_approved_alert']:contains('Credit approved')",
        },
        {
            content: "Confirm",
            trigger: ".o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "It is a sales order",
            trigger: ".o_form_statusbar .o_arrow_button_current:contains('Sales Order')",
        },
    ],
});
