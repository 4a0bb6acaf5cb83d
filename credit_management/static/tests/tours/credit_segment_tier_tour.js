import { registry } from "@web/core/registry";

const tierRow = (name) => `.o_data_row:has(td[name='name']:contains('${name}'))`;
const newCondition = ".modal .o_tree_editor_condition:eq(1)";

/**
 * Journey 5, the credit manager: narrow a segment's rule in its domain editor (the addon's
 * credit_segment_domain widget, which offers the customer fields a segment is made of
 * first), then move a risk tier's band; a band that leaves a tier no score is refused with
 * its message.
 * Data: TestCreditTours.test_manager_edits_a_segment_rule_and_the_tier_bands.
 */
registry.category("web_tour.tours").add("credit_tour_segment_tiers", {
    url: "/odoo/credit-customers",
    steps: () => [
        {
            content: "Open the configuration menu",
            trigger: ".o_main_navbar [data-menu-xmlid='credit_management.menu_credit_configuration']",
            run: "click",
        },
        {
            content: "Open the segments",
            trigger: ".o-dropdown-item[data-menu-xmlid='credit_management.menu_credit_segment']",
            run: "click",
        },
        {
            content: "Open the habitual late payers' segment",
            trigger: ".o_list_view .o_data_row td[name='name']:contains('Habitual late payers')",
            run: "click",
        },
        {
            content: "Edit its rule",
            trigger: ".o_field_widget[name='partner_domain'] .o_field_domain_dialog_button",
            run: "click",
        },
        {
            content: "Add a rule",
            trigger: ".modal .o_tree_editor a:contains('New Rule')",
            run: "click",
        },
        {
            content: "Choose the new rule's field",
            trigger: `${newCondition} .o_model_field_selector`,
            run: "click",
        },
        {
            content: "The fields a segment is made of come first; technical ones are not offered",
            trigger:
                ".o_model_field_selector_popover:not(:has([data-name='email'])) .o_model_field_selector_popover_item:first-child[data-name='credit_risk_tier_id']",
        },
        {
            content: "The risk score",
            trigger:
                ".o_model_field_selector_popover_item[data-name='credit_risk_score'] .o_model_field_selector_popover_item_name",
            run: "click",
        },
        {
            content: "Greater than",
            trigger: `${newCondition}:has(.o_model_field_selector:contains('Risk Score')) .o_tree_editor_editor:eq(1) select`,
            run: "selectByLabel greater than",
        },
        {
            content: "60",
            trigger: `${newCondition} .o_tree_editor_editor:eq(2) input`,
            run: "edit 60",
        },
        {
            content: "Confirm the rule",
            trigger: ".modal-footer button:contains('Confirm')",
            run: "click",
        },
        {
            content: "The segment's rule has the new condition",
            trigger: "body:not(:has(.modal)) .o_field_widget[name='partner_domain']:contains('Risk Score')",
        },
        {
            content: "Save the segment",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Open the configuration menu",
            trigger: ".o_main_navbar [data-menu-xmlid='credit_management.menu_credit_configuration']",
            run: "click",
        },
        {
            content: "Open the risk tiers",
            trigger: ".o-dropdown-item[data-menu-xmlid='credit_management.menu_credit_risk_tier']",
            run: "click",
        },
        {
            content: "Edit the Low tier's band",
            trigger: `.o_list_view ${tierRow("Low")} td[name='max_score']`,
            run: "click",
        },
        {
            content: "Low now goes up to 30",
            trigger: ".o_data_row.o_selected_row:has(td[name='name'] input:value(Low)) td[name='max_score'] input",
            run: "edit 30",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Low's band is saved",
            trigger: `.o_list_view:not(:has(.o_selected_row)) ${tierRow("Low")} td[name='max_score']:contains('30.0')`,
        },
        {
            content: "Edit the Medium tier's band",
            trigger: `.o_list_view ${tierRow("Medium")} td[name='max_score']`,
            run: "click",
        },
        {
            content: "Medium up to 20, below Low's 30",
            trigger: ".o_data_row.o_selected_row:has(td[name='name'] input:value(Medium)) td[name='max_score'] input",
            run: "edit 20",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "The band is refused with its reason",
            trigger: ".modal .modal-body:contains('no score would be left for Medium')",
        },
        {
            content: "Close the message",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Discard the change",
            trigger: ".o_list_button_discard",
            run: "click",
        },
        {
            content: "Medium keeps its band",
            trigger: `.o_list_view:not(:has(.o_selected_row)) ${tierRow("Medium")} td[name='max_score']:contains('50.0')`,
        },
    ],
});
