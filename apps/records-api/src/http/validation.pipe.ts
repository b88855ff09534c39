import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, type ErrorDetail } from '@app/common';

function flatten(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const path = prefix ? (/^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`) : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      path,
      message: rule === 'whitelistValidation' ? 'unknown field' : message.replace(new RegExp(`^${error.property} `), ''),
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 32;

/**
 * Text PostgreSQL cannot store (NUL in text/jsonb; unpaired UTF-16 surrogates cannot be encoded as
 * UTF-8) would otherwise fail at the INSERT as a 500. Found anywhere in a body or query: a 400 naming
 * where (never the value). Nesting deeper than any DTO is refused before anything recurses into it.
 */
export function unstorableText(value: unknown, path: string, found: ErrorDetail[] = [], depth = 0): ErrorDetail[] {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) found.push({ path: path || 'body', message: 'must not contain NUL characters or unpaired surrogates' });
  } else if (value !== null && typeof value === 'object') {
    if (depth >= MAX_DEPTH) {
      found.push({ path: path || 'body', message: `is nested more than ${MAX_DEPTH} levels deep` });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => unstorableText(item, `${path}[${index}]`, found, depth + 1));
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (UNSTORABLE.test(key))
          found.push({ path: path || 'body', message: 'has a field name with NUL characters or unpaired surrogates' });
        else unstorableText(item, at(key), found, depth + 1);
      }
    }
  }
  return found;
}

class EnvelopeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = unstorableText(value, '').slice(0, 20);
      if (problems.length > 0) throw DomainError.validation(problems);
    }
    return super.transform(value, metadata);
  }
}

/**
 * Whitelist + forbid: an unknown property (also nested in declared types) is a 400 naming it.
 * Free-form objects (config, credentials) are checked against the vendor template by the services.
 */
export function createValidationPipe(): ValidationPipe {
  return new EnvelopeValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation(flatten(errors)),
  });
}
