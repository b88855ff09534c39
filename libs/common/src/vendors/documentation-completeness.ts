import { isPlainObject } from './field-validation';
import { getVendorTemplate } from './vendor-templates';
import { Vendor } from './vendor-template.types';

export interface DocumentationCompleteness {
  /** Share of the rubric's required items that are filled, 0..1 (1 when nothing is required). */
  readonly score: number;
  /** True when every required item is filled. */
  readonly complete: boolean;
  /** Keys of the required items that are absent or empty, in rubric order. */
  readonly missing: string[];
}

/**
 * Scores an installation's `documentation` object against the vendor's rubric. Only required
 * items count, so adding optional notes never changes the "% complete documentation" metric.
 */
export function documentationCompleteness(vendor: Vendor, documentation: unknown): DocumentationCompleteness {
  const required = getVendorTemplate(vendor).documentationRubric.filter((item) => item.required);
  const doc = isPlainObject(documentation) ? documentation : {};
  const missing = required
    .filter((item) => !Object.prototype.hasOwnProperty.call(doc, item.key) || !isFilled(doc[item.key]))
    .map((item) => item.key);
  const score = required.length === 0 ? 1 : (required.length - missing.length) / required.length;
  return { score, complete: missing.length === 0, missing };
}

/** Whitespace, empty lists and empty objects are not documentation. */
function isFilled(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some(isFilled);
  if (typeof value === 'object') return Object.values(value).some(isFilled);
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'boolean';
}
