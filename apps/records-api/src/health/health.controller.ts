import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/roles';
import { RabbitMqHealthIndicator } from './rabbitmq.health';
import { NotAudited } from '../audit/route-audit.decorator';

@ApiTags('health')
@Public()
@NotAudited('health probes: public, no records read or changed, polled every few seconds')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly rabbitmq: RabbitMqHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'Liveness: the process answers',
    description: "Public. 200 while the process runs; for the orchestrator's liveness probe.",
    security: [],
  })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and RabbitMQ reachable',
    description: "Public. 200 when PostgreSQL and RabbitMQ answer, 503 otherwise; for the load balancer's readiness probe.",
    security: [],
  })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  @HealthCheck()
  ready() {
    return this.health.check([() => this.database.pingCheck('postgres', { timeout: 2000 }), () => this.rabbitmq.check()]);
  }
}
