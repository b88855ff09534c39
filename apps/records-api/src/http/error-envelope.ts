import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'config.scope' })
  path: string;

  @ApiProperty({ example: 'must be one of: partner, public' })
  message: string;
}

/** The one error body every route answers with. */
export class ErrorEnvelopeDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable error code' })
  error: string;

  @ApiProperty({ example: 'request is invalid' })
  message: string;

  @ApiProperty({ type: [ErrorDetailDto] })
  details: ErrorDetailDto[];

  @ApiProperty({ example: 'f3b0c442-98fc-4c14-9af9-2bf2f7a8d6a1' })
  requestId: string;

  @ApiPropertyOptional({ description: 'Present on 500: quote it to the operators; internals are only in the logs' })
  errorId?: string;
}
