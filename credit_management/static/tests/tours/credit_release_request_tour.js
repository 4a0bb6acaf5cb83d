import { registry } from "@web/core/registry";

/**
 * Journey 1: a salesperson opens a quotation of a customer who would go over its credit
 * limit, reads its standing and why the order would be held, clicks Confirm, reads the
 * dialog, puts it off, then asks for the release with a note from the held quotation.
 * Data: TestCreditTours.test_salesperson_reads_the_hold_and_requests_a_release_from_the_confirm_dialog.
 */
registry.category("web_tour.tours").add("credit_tour_release_request", {
    url: "/odoo/sales",
    steps: () => [
        {
            content: "Open Acme's quotation",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains('Acme Customer')",
            run: "click",
        },
        {
            content: "The customer's standing shows next to the customer",
            trigger: ".o_form_view div[name='credit_standing_row']:contains('Available')",
        },
        {
            content: "Confirming would hold the quotation, and the form says why",
            trigger:
                "div[name='credit_preview_alert']:contains('Confirming this quotation will hold it for credit approval'):contains('over the credit limit')",
        },
        {
            content: "Open the Credit tab",
            trigger: ".o_notebook a[name='credit']",
            run: "click",
        },
        {
            content: "The Credit tab shows the customer's limit, exposure and what confirming now would say",
            trigger:
                ".o_notebook .tab-pane.active:has(.o_field_widget[name='credit_partner_exposure']) .o_field_widget[name='credit_check_preview']:contains('over the credit limit')",
        },
        {
            content: "Click Confirm",
            trigger: ".o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The dialog explains the hold",
            trigger:
                ".modal:has(.modal-title:contains('Credit Approval Needed')) .o_field_widget[name='hold_reasons']:contains('over the credit limit')",
        },
        {
            content: "Not now",
            trigger: ".modal-footer button:contains('Not Now')",
            run: "click",
        },
        {
            content: "The quotation is on credit hold, with its reasons",
            trigger: "body:not(:has(.modal)) div[name='credit_hold_alert']:contains('On credit hold'):contains('over the credit limit')",
        },
        {
            content: "Request the credit release",
            trigger: ".o_form_statusbar button[name='action_request_credit_release']",
            run: "click",
        },
        {
            content: "Write a note to the credit team",
            trigger: ".modal .o_field_widget[name='request_note'] textarea",
            run: "edit The customer pays the overdue invoice on Friday.",
        },
        {
            content: "Send the request",
            trigger: ".modal-footer button.btn-primary:contains('Request Credit Release')",
            run: "click",
        },
        {
            content: "The quotation waits for the credit team",
            trigger: "body:not(:has(.modal)) div[name='credit_pending_alert']:contains('Waiting for credit')",
        },
    ],
});
