import { registry } from "@web/core/registry";

/**
 * Journey 3, the credit controller: a new follow-up run on one segment, computed; one
 * reminder sent as a letter instead of an email, another skipped, then executed at once
 * (a small run). The letter is listed and can be downloaded, and the email shows in the
 * customer's chatter.
 * Data: TestCreditTours.test_controller_runs_a_followup_with_a_letter_a_skip_and_an_email.
 */
registry.category("web_tour.tours").add("credit_tour_followup_run", {
    url: "/odoo/action-credit_management.action_credit_followup_run",
    steps: () => [
        {
            content: "Start a new run",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Pick the segment",
            trigger: ".o_field_widget[name='segment_ids'] input",
            run: "edit Tour Customers",
        },
        {
            content: "Select it",
            trigger: ".o_field_widget[name='segment_ids'] .dropdown-item:contains('Tour Customers')",
            run: "click",
        },
        {
            content: "Compute the reminders due",
            trigger: ".o_form_statusbar button[name='action_compute']",
            run: "click",
        },
        {
            content: "Each customer with an overdue invoice gets a reminder",
            trigger:
                ".o_field_widget[name='line_ids']:has(.o_data_row:contains('Birch Hardware')):has(.o_data_row:contains('Cedar Stores')) .o_data_row:contains('Delta Supplies')",
        },
        {
            content: "Edit Birch's reminder",
            trigger: ".o_data_row:contains('Birch Hardware') td[name='channel']",
            run: "click",
        },
        {
            content: "Open the channels",
            trigger: ".o_data_row:contains('Birch Hardware') td[name='channel'] input",
            run: "click",
        },
        {
            content: "Send Birch a letter instead of an email",
            trigger: ".o_select_menu_item:contains('Letter')",
            run: "click",
        },
        {
            content: "Skip Cedar",
            trigger: ".o_data_row:contains('Cedar Stores') button[name='action_skip']",
            run: "click",
        },
        {
            content: "Cedar is skipped, Birch's letter is kept",
            trigger:
                ".o_form_saved .o_data_row:contains('Cedar Stores') td[name='status']:contains('Skipped')",
        },
        {
            trigger: ".o_data_row:contains('Birch Hardware') td[name='channel']:contains('Letter')",
        },
        {
            content: "Execute",
            trigger: ".o_form_statusbar button[name='action_execute']",
            run: "click",
        },
        {
            content: "Confirm sending the reminders",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The run says what it did",
            trigger: ".o_notification:contains('Executed')",
        },
        {
            content: "The run is done",
            trigger: ".o_form_statusbar .o_arrow_button_current:contains('Done')",
        },
        {
            content: "Open the letters to print",
            trigger: ".o_form_view button[name='action_view_letters']:contains('Letters to Print')",
            run: "click",
        },
        {
            content: "The run's letters are listed",
            trigger: ".o_breadcrumb .o_last_breadcrumb_item:contains('Letters of')",
        },
        {
            content: "Birch's letter is listed, to download",
            trigger: ".o_list_view .o_data_row:contains('Birch Hardware') button[name='action_download_letter']",
        },
        {
            content: "Open Birch's letter",
            trigger: ".o_list_view .o_data_row td.o_data_cell[name='partner_id']:contains('Birch Hardware')",
            run: "click",
        },
        {
            content: "The letter can be downloaded",
            trigger: ".o_form_view:has(.o_field_widget[name='channel']:contains('Letter')) .o_form_statusbar button[name='action_download_letter']",
        },
        {
            content: "Go to the customers",
            trigger: ".o_main_navbar [data-menu-xmlid='credit_management.menu_credit_customers']",
            run: "click",
        },
        {
            content: "Open Delta Supplies",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains('Delta Supplies')",
            run: "click",
        },
        {
            content: "The reminder email is in the customer's chatter",
            trigger: ".o-mail-Chatter .o-mail-Message:contains('a friendly payment reminder'):contains('Dear Delta Supplies')",
        },
    ],
});
