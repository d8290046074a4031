// Unit tests import modules that read configuration at load (the logger, default
// repositories): give them values that need no running service.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.RATE_LIMIT_PER_MINUTE ??= '0';
