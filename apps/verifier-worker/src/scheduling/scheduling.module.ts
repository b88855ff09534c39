import { Module } from '@nestjs/common';
import { ReverificationScheduler } from './reverification-scheduler';

@Module({ providers: [ReverificationScheduler], exports: [ReverificationScheduler] })
export class SchedulingModule {}
