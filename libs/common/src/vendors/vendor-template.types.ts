/**
 * The shape of a vendor template: everything the API (form schema, validation), the verifier
 * (probe, hosts, timeouts) and the documentation metric need to know about one partner.
 * The partner facts behind the values are in DESIGN.md section 5 and partners.md.
 */

export const VENDORS = ['spothero', 'parkwhiz'] as const;
export type Vendor = (typeof VENDORS)[number];

export const ENVIRONMENTS = ['sandbox', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const TEMPLATE_SECTIONS = ['config', 'credentials'] as const;
export type TemplateSection = (typeof TEMPLATE_SECTIONS)[number];

export const FIELD_TYPES = ['string', 'integer', 'boolean', 'url', 'string[]'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A value a template field can hold once validated (JSON-compatible). */
export type FieldValue = string | number | boolean | readonly string[];

/** One form field. Length, pattern and enum rules apply to the string, or to every item of a string[]. */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly title: string;
  readonly description: string;
  readonly example: FieldValue;
  /** Pre-filled in forms; validation never injects it (the record stores what the client sent). */
  readonly default?: FieldValue;
  /** Regular-expression source, anchored, compiled with the `u` flag. */
  readonly pattern?: string;
  /** Plain words for the pattern, shown in errors instead of the example (used for secrets). */
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly enum?: readonly string[];
  /** string[] only. */
  readonly minItems?: number;
  readonly maxItems?: number;
  /** integer only. */
  readonly minimum?: number;
  readonly maximum?: number;
  readonly required: boolean;
  /** Secret values are encrypted at rest, masked for viewers and audited only as fingerprints. */
  readonly secret: boolean;
  readonly docLink: string;
}

/** A base URL plus named paths; `{name}` placeholders are filled per call (see buildEndpointUrl). */
export interface EndpointSet {
  readonly baseUrl: string;
  readonly paths: Readonly<Record<string, string>>;
}

export type ProbeKind = 'oauth_client_credentials' | 'token_header';

interface ProbeBase {
  readonly kind: ProbeKind;
  /**
   * Only a confirmed probe may mark credentials as verified; an unconfirmed one is reported as
   * the failure class `unsupported` rather than a false "verified" (DESIGN.md section 5).
   */
  readonly confirmed: boolean;
  readonly method: 'GET' | 'POST';
  /** Key into the installation's endpoint paths, so an installation can override the path. */
  readonly pathKey: string;
  /** The default path (the same as defaultEndpoints[env].paths[pathKey]). */
  readonly path: string;
  readonly expectedStatus: number;
  readonly note: string;
  readonly docLink: string;
}

/** ParkWhiz: mint a token with client credentials; the token request itself is the check. */
export interface OAuthClientCredentialsProbe extends ProbeBase {
  readonly kind: 'oauth_client_credentials';
  readonly method: 'POST';
  readonly grantType: 'client_credentials';
  /** Form body, not HTTP Basic: Basic was answered 401 (partners.md [obs]). */
  readonly credentialsIn: 'form_body';
  /** Config field with the requested scope; a narrower granted scope is `forbidden`. */
  readonly scopeConfigField: string;
}

/** SpotHero: an authenticated GET with a static `Authorization: Token <key>` header. */
export interface TokenHeaderProbe extends ProbeBase {
  readonly kind: 'token_header';
  readonly method: 'GET';
  readonly authorizationScheme: string;
  readonly versionHeader: string;
  readonly versionConfigField: string;
  /** Placeholder name → config field whose first item fills it (e.g. id → facilityIds). */
  readonly pathParamsFromConfig: Readonly<Record<string, string>>;
}

export type ProbeSpec = OAuthClientCredentialsProbe | TokenHeaderProbe;

/** The initial sync check: read every configured partner location/facility once. */
export interface InitialSyncCheck {
  readonly method: 'GET';
  readonly pathKey: string;
  /** The `{id}` placeholder is filled with each item of this string[] config field. */
  readonly idsConfigField: string;
}

export const DATA_FLOW_DIRECTIONS = ['pms_to_partner', 'partner_to_pms'] as const;
export type DataFlowDirection = (typeof DATA_FLOW_DIRECTIONS)[number];

export const DATA_FLOW_TRIGGERS = ['push', 'pull', 'webhook'] as const;
export type DataFlowTrigger = (typeof DATA_FLOW_TRIGGERS)[number];

export interface DataFlow {
  readonly id: string;
  readonly name: string;
  readonly direction: DataFlowDirection;
  readonly data: readonly string[];
  readonly personalData: boolean;
  readonly trigger: DataFlowTrigger;
  readonly frequency: string;
  /** How the receiving side processes the data. */
  readonly processing: string;
}

/** One item of the installation's `documentation` object that the completeness metric checks. */
export interface DocumentationRubricItem {
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly required: boolean;
}

export interface RotationPolicy {
  readonly maxCredentialAgeDays: number;
  readonly warnBeforeDays: number;
}

export interface VendorTemplate {
  readonly vendor: Vendor;
  readonly displayName: string;
  readonly documentationUrl: string;
  /** Default for the installation's `versions.partnerApi`. */
  readonly partnerApiVersion: string;
  readonly configFields: readonly FieldSpec[];
  readonly credentialFields: readonly FieldSpec[];
  readonly defaultEndpoints: Readonly<Record<Environment, EndpointSet>>;
  /** Exact hosts (host[:port] as in URL.host) outbound calls may reach, per environment. */
  readonly allowedHosts: Readonly<Record<Environment, readonly string[]>>;
  readonly probe: ProbeSpec;
  readonly initialSync: InitialSyncCheck;
  readonly timeoutsMs: Readonly<Record<Environment, number>>;
  /** Consecutive transient failures (throttled, vendor_error, network) before `degraded`. */
  readonly degradedThreshold: number;
  readonly dataFlows: readonly DataFlow[];
  readonly documentationRubric: readonly DocumentationRubricItem[];
  readonly rotationPolicy: RotationPolicy;
}

/** A validation problem at a dotted JSON path, e.g. `{ path: 'config.scope', message: '…' }`. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}
