import { getCurrency } from "@web/core/currency";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { floatIsZero } from "@web/core/utils/numbers";
import { monetaryField, MonetaryField } from "@web/views/fields/monetary/monetary_field";

/**
 * A credit limit, or an amount that depends on one (the credit available): a limit of
 * zero means the customer has no limit, so it reads "No limit" instead of "$ 0.00".
 * Editable, an empty input stands for no limit.
 *
 * Option ``limit_field``: the field holding the limit when it is not this field's own
 * value (e.g. the credit available is "No limit" when the customer's limit is zero).
 */
export class CreditLimitField extends MonetaryField {
    static template = "credit_management.CreditLimitField";
    static props = {
        ...MonetaryField.props,
        limitField: { type: String, optional: true },
    };

    get noLimitLabel() {
        return _t("No limit");
    }

    get hasNoLimit() {
        const limit = this.props.record.data[this.props.limitField || this.props.name];
        const currency = getCurrency(this.currencyId);
        return !limit || floatIsZero(limit, currency ? currency.digits[1] : 2);
    }

    get currency() {
        // an empty input (no limit) shows no currency symbol next to it
        return this.hasNoLimit && !this.props.readonly ? null : super.currency;
    }

    get formattedValue() {
        if (this.hasNoLimit) {
            return this.props.readonly ? this.noLimitLabel : "";
        }
        return super.formattedValue;
    }
}

export const creditLimitField = {
    ...monetaryField,
    component: CreditLimitField,
    displayName: _t("Credit Limit"),
    supportedOptions: [
        ...monetaryField.supportedOptions,
        {
            label: _t("Limit field"),
            name: "limit_field",
            type: "field",
            availableTypes: ["float", "monetary"],
        },
    ],
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...monetaryField.extractProps(fieldInfo, dynamicInfo),
        limitField: fieldInfo.options.limit_field,
    }),
};

registry.category("fields").add("credit_limit", creditLimitField);
