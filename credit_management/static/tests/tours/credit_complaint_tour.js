import { registry } from "@web/core/registry";

/**
 * Journey 4, the salesperson: from a customer's invoice, Report a Complaint, filled in and
 * saved. Raised outside the credit team, it waits for them: the invoice is not disputed yet.
 * Data: TestCreditTours.test_salesperson_raises_a_complaint_and_the_controller_resolves_it.
 */
registry.category("web_tour.tours").add("credit_tour_complaint_raise", {
    steps: () => [
        {
            content: "Report a complaint on the invoice",
            trigger: ".o_form_statusbar button[name='action_credit_report_complaint']",
            run: "click",
        },
        {
            content: "The complaint is on the invoice's customer",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input:value(Acme Customer)",
        },
        {
            content: "Choose the category",
            trigger: ".o_field_widget[name='category_id'] input",
            run: "edit Quality",
        },
        {
            trigger: ".o_field_widget[name='category_id'] .dropdown-item:contains('Quality')",
            run: "click",
        },
        {
            content: "Say how much is disputed",
            trigger: ".o_field_widget[name='amount_disputed'] input",
            run: "edit 150",
        },
        {
            content: "Describe the complaint in the customer's words",
            trigger: ".o_field_widget[name='description'] textarea",
            run: "edit Three boxes arrived damaged.",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The complaint waits for the credit team to accept the dispute",
            trigger: ".o_form_saved .alert:contains('This complaint waits for the credit team')",
        },
        {
            content: "Back to the invoice",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "The invoice counts the complaint and is not disputed yet",
            trigger:
                ".o_form_view:not(:has(.alert:contains('follow-ups skip this invoice'))) button[name='action_credit_view_complaints']:contains('1')",
        },
    ],
});

/**
 * Journey 4, the credit controller: from the invoice, open its complaint, accept the
 * dispute (the invoice shows as disputed), then resolve it with a root cause.
 */
registry.category("web_tour.tours").add("credit_tour_complaint_resolve", {
    steps: () => [
        {
            content: "Open the invoice's complaints",
            trigger: ".o_form_view button[name='action_credit_view_complaints']",
            run: "click",
        },
        {
            content: "Open Acme's complaint",
            trigger: ".o_kanban_view .o_kanban_record:contains('Acme Customer'):contains('Quality')",
            run: "click",
        },
        {
            content: "Accept the dispute",
            trigger: ".o_form_statusbar button[name='action_accept_dispute']",
            run: "click",
        },
        {
            content: "While the complaint is open, its invoice is disputed",
            trigger: ".alert:contains('While this complaint is open, its invoice is disputed')",
        },
        {
            content: "Back to the invoice",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('INV/')",
            run: "click",
        },
        {
            content: "The invoice shows as disputed: open the complaint from the banner",
            trigger:
                ".alert:contains('follow-ups skip this invoice') .o_field_widget[name='credit_dispute_complaint_ids'] button",
            run: "click",
        },
        {
            content: "Open the Resolution tab",
            trigger: ".o_notebook a[name='resolution']",
            run: "click",
        },
        {
            content: "Classify the root cause",
            trigger: ".o_field_widget[name='root_cause_id'] input",
            run: "edit Product defect",
        },
        {
            trigger: ".o_field_widget[name='root_cause_id'] .dropdown-item:contains('Product defect')",
            run: "click",
        },
        {
            content: "Say what was done",
            trigger: ".o_field_widget[name='resolution'] textarea",
            run: "edit Replaced the damaged goods.",
        },
        {
            content: "Resolve",
            trigger: ".o_form_statusbar button[name='action_resolve']",
            run: "click",
        },
        {
            content: "The complaint is resolved",
            trigger: ".o_form_view .ribbon:contains('Resolved')",
        },
        {
            content: "Back to the invoice",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('INV/')",
            run: "click",
        },
        {
            content: "The invoice is no longer disputed",
            trigger:
                ".o_form_view:not(:has(.alert:contains('follow-ups skip this invoice'))) button[name='action_credit_view_complaints']",
        },
    ],
});
