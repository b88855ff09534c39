import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { connect } from 'amqplib';
import { EnvironmentVariables } from '@app/common';

/** Ready only when the broker accepts a connection (the outbox relay needs it). */
@Injectable()
export class RabbitMqHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly env: EnvironmentVariables,
  ) {}

  async check(key = 'rabbitmq') {
    const session = this.indicator.check(key);
    try {
      const connection = await connect(this.env.RABBITMQ_URL, { timeout: 2000 });
      await connection.close();
      return session.up();
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message.replace(/\/\/[^@]*@/, '//***@') : 'unreachable' });
    }
  }
}
