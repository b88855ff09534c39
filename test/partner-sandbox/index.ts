export { PartnerSandbox, startPartnerSandbox } from './partner-sandbox';
export type { PartnerSandboxOptions, RunningPartnerSandbox, SandboxLogEntry } from './partner-sandbox';
export type { SandboxCallCounts, CallFilter } from './call-ledger';
export { spotheroKeyLabel } from './spothero-protocol';
export { demoSandboxConfig, DEFAULT_FAULT_LOCATION, DEFAULT_HUGE_BODY_BYTES } from './sandbox-config';
export type { FaultKind, FaultPlan, PartnerSandboxConfig, SandboxRoute } from './sandbox-config';
