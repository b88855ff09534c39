import { buildDocumentationRubric } from './documentation-rubric';
import { VendorTemplate } from './vendor-template.types';

const API_DOCS = 'https://developer.arrive.com/v4/';
const AUTH_DOCS = 'https://developer.parkwhiz.com/getting_started/';
const WEBHOOK_DOCS = 'https://developer.arrive.com/webhooks/';

/** IDs are placed into URL paths (`/locations/{id}`), so only URL-safe characters are allowed. */
const ID_PATTERN = '^[A-Za-z0-9_-]+$';
/** Printable ASCII without spaces: secrets travel in form bodies and headers (no CR/LF injection). */
const SECRET_PATTERN = '^[\\x21-\\x7E]+$';
/** An HTTP header field name (RFC 9110 token). */
const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";

/** ParkWhiz / Arrive API v4: OAuth2 client credentials; facts and labels in partners.md. */
export const PARKWHIZ_TEMPLATE: VendorTemplate = {
  vendor: 'parkwhiz',
  displayName: 'ParkWhiz / Arrive',
  documentationUrl: API_DOCS,
  partnerApiVersion: 'v4',
  configFields: [
    {
      name: 'clientId',
      type: 'string',
      title: 'OAuth client ID',
      description: 'The client_id Arrive issued for this integration. Not secret; paired with the client secret.',
      example: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      pattern: '^[A-Za-z0-9._~-]+$',
      minLength: 1,
      maxLength: 256,
      required: true,
      secret: false,
      docLink: AUTH_DOCS,
    },
    {
      name: 'scope',
      type: 'string',
      title: 'Requested scope',
      description:
        'Scope requested with the token. Partner integrations need `partner`; a token granted a ' +
        'narrower scope than requested fails verification as forbidden.',
      example: 'partner',
      default: 'partner',
      enum: ['partner', 'public'],
      required: true,
      secret: false,
      docLink: AUTH_DOCS,
    },
    {
      name: 'locationIds',
      type: 'string[]',
      title: 'Arrive location IDs',
      description: 'The Arrive locations this installation publishes; the initial sync check reads each one.',
      example: ['8567', '12034'],
      pattern: ID_PATTERN,
      minLength: 1,
      maxLength: 64,
      minItems: 1,
      maxItems: 500,
      required: true,
      secret: false,
      docLink: API_DOCS,
    },
    {
      name: 'webhookVersion',
      type: 'string',
      title: 'Booking webhook version',
      description: 'Version of the Create/Cancel Partner Booking webhooks (1.1 adds partner booking creation).',
      example: '1.1',
      enum: ['1.0', '1.1'],
      required: false,
      secret: false,
      docLink: WEBHOOK_DOCS,
    },
    {
      name: 'createBookingWebhookUrl',
      type: 'url',
      title: 'Create Partner Booking endpoint',
      description: 'PMS endpoint Arrive POSTs `{"id": <booking id>}` to when a booking is created.',
      example: 'https://pms.example.com/arrive/bookings/create',
      maxLength: 2048,
      required: false,
      secret: false,
      docLink: WEBHOOK_DOCS,
    },
    {
      name: 'cancelBookingWebhookUrl',
      type: 'url',
      title: 'Cancel Partner Booking endpoint',
      description: 'PMS endpoint Arrive POSTs `{"id": <booking id>}` to when a booking is cancelled.',
      example: 'https://pms.example.com/arrive/bookings/cancel',
      maxLength: 2048,
      required: false,
      secret: false,
      docLink: WEBHOOK_DOCS,
    },
    {
      name: 'webhookAuthHeaderName',
      type: 'string',
      title: 'Webhook auth header name',
      description:
        'Name of the static header Arrive sends with every webhook (webhooks are not signed). ' +
        'Its value is the credential `webhookAuthSecret`.',
      example: 'X-Access-Token',
      pattern: HEADER_NAME_PATTERN,
      patternHint: 'an HTTP header name, e.g. X-Access-Token',
      minLength: 1,
      maxLength: 64,
      required: false,
      secret: false,
      docLink: WEBHOOK_DOCS,
    },
  ],
  credentialFields: [
    {
      name: 'clientSecret',
      type: 'string',
      title: 'OAuth client secret',
      description: 'The client_secret paired with the client ID; sent in the token request body.',
      example: 'f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2',
      pattern: SECRET_PATTERN,
      patternHint: 'printable ASCII without spaces',
      minLength: 8,
      maxLength: 256,
      required: true,
      secret: true,
      docLink: AUTH_DOCS,
    },
    {
      name: 'webhookAuthSecret',
      type: 'string',
      title: 'Webhook auth header value',
      description:
        'Value of the static webhook auth header. The PMS team chooses it, so it must be long ' +
        'enough not to be guessed (at least 16 characters).',
      example: 'AbCdEf1234567890AbCdEf12',
      pattern: SECRET_PATTERN,
      patternHint: 'printable ASCII without spaces',
      minLength: 16,
      maxLength: 256,
      required: false,
      secret: true,
      docLink: WEBHOOK_DOCS,
    },
  ],
  defaultEndpoints: {
    sandbox: {
      baseUrl: 'https://api-sandbox.parkwhiz.com/v4',
      paths: { token: '/oauth/token', location: '/locations/{id}', bookings: '/bookings' },
    },
    production: {
      baseUrl: 'https://api.parkwhiz.com/v4',
      paths: { token: '/oauth/token', location: '/locations/{id}', bookings: '/bookings' },
    },
  },
  allowedHosts: {
    // The older sandbox spelling (http://api.sandbox.parkwhiz.com/v4) still appears in docs.
    sandbox: ['api-sandbox.parkwhiz.com', 'api.sandbox.parkwhiz.com'],
    production: ['api.parkwhiz.com'],
  },
  probe: {
    kind: 'oauth_client_credentials',
    confirmed: true,
    method: 'POST',
    pathKey: 'token',
    path: '/oauth/token',
    expectedStatus: 200,
    grantType: 'client_credentials',
    credentialsIn: 'form_body',
    scopeConfigField: 'scope',
    note:
      'The token request is the credential check: quote, venue and event searches answer without ' +
      'a token, so their 200 proves nothing.',
    docLink: AUTH_DOCS,
  },
  initialSync: { method: 'GET', pathKey: 'location', idsConfigField: 'locationIds' },
  // The sandbox is slow (token 1-2 s, booking queries 15-25 s) [obs].
  timeoutsMs: { sandbox: 30_000, production: 10_000 },
  degradedThreshold: 3,
  dataFlows: [
    {
      id: 'parkwhiz.inventory',
      name: 'Inventory, rates and locations to Arrive',
      direction: 'pms_to_partner',
      data: ['location id', 'address and hours', 'capacity / availability', 'rates (price, currency, time window)'],
      personalData: false,
      trigger: 'push',
      frequency: 'on every rate or availability change',
      processing: 'Arrive lists the location and quotes drivers from the published rates.',
    },
    {
      id: 'parkwhiz.bookings.pull',
      name: 'Bookings from Arrive (API pull)',
      direction: 'partner_to_pms',
      data: ['booking id', 'location id', 'start and end time', 'price paid', 'customer name', 'licence plate', 'parking pass / QR code'],
      personalData: true,
      trigger: 'pull',
      frequency: 'polled (GET /v4/bookings, paged) on the installation schedule',
      processing:
        'The PMS creates or updates the reservation so the PARCS admits the vehicle; gate validation ' +
        'by QR code or licence plate is done by the PARCS vendor, not by an Arrive API.',
    },
    {
      id: 'parkwhiz.bookings.webhook',
      name: 'Create / Cancel Partner Booking webhooks',
      direction: 'partner_to_pms',
      data: ['booking id (webhook body)', 'booking details read back by id: customer name, licence plate, times, price'],
      personalData: true,
      trigger: 'webhook',
      frequency: 'per booking created or cancelled',
      processing:
        'The PMS checks the static auth header, reads the booking by id and creates or cancels the ' +
        'reservation; the PARCS vendor validates at the gate.',
    },
  ],
  documentationRubric: buildDocumentationRubric({
    rotationProcedure:
      'How to obtain a new client secret from Arrive (partner-support@arrive.com) and rotate the ' +
      'webhook auth header value without dropping bookings.',
    parcsVendor: 'The PARCS vendor that validates Arrive bookings (QR code or licence plate) at the gates.',
  }),
  // Operator policy, not an Arrive requirement: secrets do not expire on their own.
  rotationPolicy: { maxCredentialAgeDays: 365, warnBeforeDays: 30 },
};
