import { useSubEnv } from "@odoo/owl";
import { DomainSelector } from "@web/core/domain_selector/domain_selector";
import { getDefaultCondition } from "@web/core/domain_selector/utils";
import { DomainSelectorDialog } from "@web/core/domain_selector_dialog/domain_selector_dialog";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { sortBy } from "@web/core/utils/arrays";
import { DomainField, domainField } from "@web/views/fields/domain/domain_field";

/**
 * The rule of a credit segment: a domain on customers whose editor offers the fields a
 * credit manager segments by (risk tier, payment behaviour, channel, country, tags,
 * salesperson, sales, score...), listed by the segment (``offered_fields`` option: the
 * record's field holding their names). In debug mode every field stays available, the
 * offered ones first, as Odoo's editors show technical fields in debug mode only.
 */
export class CreditSegmentDomainSelector extends DomainSelector {
    get offeredFields() {
        return this.env.creditOfferedFields || [];
    }

    getDefaultCondition(fieldDefs) {
        const name = this.offeredFields.find((fieldName) => fieldName in fieldDefs);
        return getDefaultCondition(name ? { [name]: fieldDefs[name] } : fieldDefs);
    }

    getPathEditorInfo(resModel, defaultCondition) {
        const info = super.getPathEditorInfo(resModel, defaultCondition);
        const offered = this.offeredFields;
        if (!offered.length) {
            return info;
        }
        const isDebugMode = this.props.isDebugMode;
        const rank = (name) => (offered.includes(name) ? offered.indexOf(name) : offered.length);
        return {
            ...info,
            extractProps: (params) => ({
                ...info.extractProps(params),
                filter: (fieldDef, _path, model) =>
                    fieldDef.searchable &&
                    !["json", "separator"].includes(fieldDef.type) &&
                    (isDebugMode || model !== resModel || offered.includes(fieldDef.name)),
                // the offered fields first, in their order, then the others by label
                sort: (fieldDefs) =>
                    sortBy(
                        sortBy(Object.keys(fieldDefs), (name) => fieldDefs[name].string),
                        rank
                    ),
            }),
        };
    }
}

export class CreditSegmentDomainSelectorDialog extends DomainSelectorDialog {
    static components = { ...DomainSelectorDialog.components, DomainSelector: CreditSegmentDomainSelector };
    static props = {
        ...DomainSelectorDialog.props,
        offeredFields: { type: Array, optional: true },
    };

    setup() {
        super.setup();
        useSubEnv({ creditOfferedFields: this.props.offeredFields || [] });
    }
}

export class CreditSegmentDomainField extends DomainField {
    static components = { ...DomainField.components, DomainSelector: CreditSegmentDomainSelector };
    static props = {
        ...DomainField.props,
        offeredFieldsField: { type: String, optional: true },
    };

    setup() {
        super.setup();
        useSubEnv({ creditOfferedFields: this.offeredFields });
    }

    get offeredFields() {
        const names = this.props.record.data[this.props.offeredFieldsField];
        return Array.isArray(names) ? names : [];
    }

    onEditDialogBtnClick() {
        this.addDialog(CreditSegmentDomainSelectorDialog, {
            resModel: this.getResModel(),
            domain: this.getDomain(),
            isDebugMode: !!this.env.debug,
            onConfirm: this.update.bind(this),
            offeredFields: this.offeredFields,
        });
    }
}

export const creditSegmentDomainField = {
    ...domainField,
    component: CreditSegmentDomainField,
    displayName: _t("Customer Rule"),
    supportedOptions: [
        ...domainField.supportedOptions,
        {
            label: _t("Offered fields"),
            name: "offered_fields",
            type: "field",
            availableTypes: ["json"],
        },
    ],
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...domainField.extractProps(fieldInfo, dynamicInfo),
        offeredFieldsField: fieldInfo.options.offered_fields,
    }),
};

registry.category("fields").add("credit_segment_domain", creditSegmentDomainField);
