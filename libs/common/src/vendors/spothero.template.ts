import { buildDocumentationRubric } from './documentation-rubric';
import { VendorTemplate } from './vendor-template.types';

/**
 * No current public partner API reference exists; SpotHero's own public SDKs are the first-party
 * evidence (partners.md), so field and probe links point there.
 */
const SDK_DOCS = 'https://github.com/spothero/Partner-SDK-iOS';

const FACILITY_PATH = '/v2/facilities/{id}';

/**
 * SpotHero: static partner key (`Authorization: Token <key>`) plus a date-based `SpotHero-Version`.
 * Defaults target the current API hosts: `api.spothero.com/v2/facilities` answers 401 without
 * credentials [obs], which makes a facility read the best probe candidate. Installations on the
 * legacy partner API set `baseUrl` to https://spothero.com/api and override the paths.
 */
export const SPOTHERO_TEMPLATE: VendorTemplate = {
  vendor: 'spothero',
  displayName: 'SpotHero',
  documentationUrl: SDK_DOCS,
  partnerApiVersion: '2016-05-27',
  configFields: [
    {
      name: 'facilityIds',
      type: 'string[]',
      title: 'SpotHero facility IDs',
      description:
        'The SpotHero facilities this installation publishes; the probe reads the first one and ' +
        'the initial sync check reads each one.',
      example: ['4821', '10233'],
      // IDs are placed into URL paths (`/facilities/{id}`), so only URL-safe characters are allowed.
      pattern: '^[A-Za-z0-9_-]+$',
      minLength: 1,
      maxLength: 64,
      minItems: 1,
      maxItems: 500,
      required: true,
      secret: false,
      docLink: SDK_DOCS,
    },
    {
      name: 'spotheroVersion',
      type: 'string',
      title: 'SpotHero-Version header',
      description: 'Date-based minor API version sent as `SpotHero-Version` on every call (YYYY-MM-DD).',
      example: '2016-05-27',
      default: '2016-05-27',
      pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
      minLength: 10,
      maxLength: 10,
      required: false,
      secret: false,
      docLink: SDK_DOCS,
    },
  ],
  credentialFields: [
    {
      name: 'partnerKey',
      type: 'string',
      title: 'Partner API key',
      description: 'Static partner key sent as `Authorization: Token <key>`. Staging and production keys differ.',
      example: '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b',
      // Printable ASCII without spaces: the key travels in a header (no CR/LF injection).
      pattern: '^[\\x21-\\x7E]+$',
      patternHint: 'printable ASCII without spaces',
      minLength: 8,
      maxLength: 256,
      required: true,
      secret: true,
      docLink: SDK_DOCS,
    },
  ],
  defaultEndpoints: {
    sandbox: {
      baseUrl: 'https://api.staging.spothero.com',
      paths: { probe: FACILITY_PATH, facility: FACILITY_PATH },
    },
    production: {
      baseUrl: 'https://api.spothero.com',
      paths: { probe: FACILITY_PATH, facility: FACILITY_PATH },
    },
  },
  allowedHosts: {
    sandbox: ['api.staging.spothero.com'],
    // spothero.com serves the legacy partner API under /api.
    production: ['api.spothero.com', 'spothero.com'],
  },
  probe: {
    kind: 'token_header',
    confirmed: false,
    method: 'GET',
    pathKey: 'probe',
    path: FACILITY_PATH,
    expectedStatus: 200,
    authorizationScheme: 'Token',
    versionHeader: 'SpotHero-Version',
    versionConfigField: 'spotheroVersion',
    pathParamsFromConfig: { id: 'facilityIds' },
    note:
      'No SpotHero endpoint is confirmed to verify a partner key; until onboarding confirms one, ' +
      'checks report `unsupported`. Endpoints that answer without credentials (e.g. /v2/search) ' +
      'are never proof.',
    docLink: SDK_DOCS,
  },
  initialSync: { method: 'GET', pathKey: 'facility', idsConfigField: 'facilityIds' },
  // No latency facts for SpotHero; staging gets extra headroom as staging hosts usually run smaller.
  timeoutsMs: { sandbox: 15_000, production: 10_000 },
  degradedThreshold: 3,
  dataFlows: [
    {
      id: 'spothero.inventory',
      name: 'Facility inventory and rates to SpotHero',
      direction: 'pms_to_partner',
      data: ['facility id', 'hours and restrictions', 'capacity / availability', 'rates (integer cents, time window)'],
      personalData: false,
      trigger: 'push',
      frequency: 'on every rate or availability change',
      processing: 'SpotHero lists the facility and sells parking at the published rates.',
    },
    {
      id: 'spothero.reservations',
      name: 'Reservations from SpotHero',
      direction: 'partner_to_pms',
      data: [
        'rental id',
        'barcode content',
        'facility id',
        'start and end time',
        'price (integer cents)',
        'customer name',
        'licence plate',
      ],
      personalData: true,
      trigger: 'push',
      frequency: 'per reservation made or cancelled',
      processing:
        'The PMS stores the reservation keyed by rental id so the PARCS admits the barcode or ' +
        'plate; cancellations release the space. Delivery mechanism to be confirmed at onboarding.',
    },
    {
      id: 'spothero.scans',
      name: 'Entry and exit scans to SpotHero',
      direction: 'pms_to_partner',
      data: ['rental id or barcode', 'scan type (entry / exit)', 'scan time', 'facility id'],
      personalData: false,
      trigger: 'push',
      frequency: 'per entry or exit scan',
      processing: 'The PARCS reports each scan; SpotHero closes the rental and reconciles usage.',
    },
  ],
  documentationRubric: buildDocumentationRubric({
    rotationProcedure:
      'How to obtain a new partner key from SpotHero (staging and production keys are separate) ' +
      'and cut over without rejected reservations.',
    parcsVendor: 'The PARCS vendor that scans SpotHero barcodes or plates and reports entry and exit.',
  }),
  // Operator policy, not a SpotHero requirement: partner keys do not expire on their own.
  rotationPolicy: { maxCredentialAgeDays: 365, warnBeforeDays: 30 },
};
