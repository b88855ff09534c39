import { PARKWHIZ_TEMPLATE } from './parkwhiz.template';
import { SPOTHERO_TEMPLATE } from './spothero.template';
import { ENVIRONMENTS, Environment, VENDORS, Vendor, VendorTemplate } from './vendor-template.types';

/** Templates are shared module state handed to every caller, so no caller may change them. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export const VENDOR_TEMPLATES: Readonly<Record<Vendor, VendorTemplate>> = deepFreeze({
  spothero: SPOTHERO_TEMPLATE,
  parkwhiz: PARKWHIZ_TEMPLATE,
});

export function isVendor(value: unknown): value is Vendor {
  return typeof value === 'string' && (VENDORS as readonly string[]).includes(value);
}

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** Throws for an unknown vendor: callers check input with isVendor first, so this is a bug. */
export function getVendorTemplate(vendor: Vendor): VendorTemplate {
  if (!isVendor(vendor)) throw new Error(`unknown vendor: ${String(vendor)}`);
  return VENDOR_TEMPLATES[vendor];
}
