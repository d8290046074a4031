/**
 * How the stack names its constructs after a function's folder (functions/start-time-tracking):
 * PascalCase, so that `npm run invoke` can find a function by the name its folder has. No CDK
 * import here: the local CLI reads it on every start.
 */
export const pascalCase = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase());

/** The construct id of the function built from functions/<functionName>. */
export const functionConstructId = (functionName: string) => `${pascalCase(functionName)}Function`;
