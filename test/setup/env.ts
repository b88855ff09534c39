// Test workers inherit DATABASE_URL etc. from global-setup; keep logs quiet unless asked.
process.env.LOG_LEVEL ??= 'silent';
process.env.NODE_ENV ??= 'test';
