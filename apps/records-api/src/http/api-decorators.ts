import { applyDecorators, ParseUUIDPipe, Param } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DomainError } from '@app/common';
import { RequireRole, type Role } from '../auth/roles';
import { ErrorEnvelopeDto } from './error-envelope';

/**
 * Role + auth documentation + the error responses every protected route can give, in one
 * decorator so the OpenAPI document cannot drift from the guard.
 */
export function Protected(role: Role): MethodDecorator & ClassDecorator {
  return applyDecorators(
    RequireRole(role),
    ApiBearerAuth('bearer'),
    ApiBadRequestResponse({ type: ErrorEnvelopeDto, description: 'Invalid input: details name each field' }),
    ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'Missing, expired or invalid bearer token' }),
    ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: `Requires role ${role}` }),
    ApiTooManyRequestsResponse({ type: ErrorEnvelopeDto, description: 'Rate limited; see Retry-After' }),
    ApiInternalServerErrorResponse({ type: ErrorEnvelopeDto, description: 'Unexpected error; quote errorId' }),
    ApiServiceUnavailableResponse({ type: ErrorEnvelopeDto, description: 'Database unavailable or saturated; retry after Retry-After' }),
  );
}

/** A uuid path parameter: validated, documented, and a 400 naming the parameter when malformed. */
export function UuidParam(name = 'id'): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({
      version: undefined,
      exceptionFactory: () => DomainError.validation([{ path: `path.${name}`, message: 'must be a UUID' }]),
    }),
  );
}

export function ApiUuidParam(name = 'id', description = 'Installation id'): MethodDecorator {
  return applyDecorators(
    ApiParam({ name, format: 'uuid', description }),
    ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'No such record' }),
  );
}
