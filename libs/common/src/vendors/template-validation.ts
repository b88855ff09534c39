import { FieldValidationOptions, validateFields } from './field-validation';
import { getVendorTemplate } from './vendor-templates';
import { FieldProblem, FieldSpec, TemplateSection, Vendor } from './vendor-template.types';

export type SectionValidationOptions = FieldValidationOptions;

export function templateSectionFields(vendor: Vendor, section: TemplateSection): readonly FieldSpec[] {
  const template = getVendorTemplate(vendor);
  return section === 'config' ? template.configFields : template.credentialFields;
}

/**
 * Validates an installation's `config` or `credentials` object against the vendor template.
 * Returns every problem (empty when valid), each with its dotted path, e.g.
 * `{ path: 'config.scope', message: 'must be one of: partner, public' }`.
 */
export function validateTemplateSection(
  vendor: Vendor,
  section: TemplateSection,
  value: unknown,
  pathPrefix: string = section,
  options: SectionValidationOptions = {},
): FieldProblem[] {
  return validateFields(templateSectionFields(vendor, section), value, pathPrefix, options);
}

/**
 * Applies a validated partial section (PATCH) to the stored one as a JSON merge patch (RFC 7396):
 * a value replaces the field, `null` removes it, an absent key leaves it alone.
 */
export function applySectionPatch(
  current: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    // defineProperty, not assignment: a `__proto__` key must stay data, never reach the prototype.
    else if (value !== undefined) {
      Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return merged;
}
