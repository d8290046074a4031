// A bundle that fails at load, as one whose configuration is missing does.
throw new Error('TABLE_NAME is required');
