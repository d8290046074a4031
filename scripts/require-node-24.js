// Plain JavaScript on purpose: it must run, and explain, even on an old system Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `This project runs on Node 24 (the Lambda runtime), installed by \`npm ci\` into node_modules/.bin;\n` +
      `got Node ${process.versions.node}. Run scripts through npm (npm test, npm start), and do not use --ignore-scripts.`,
  );
  process.exit(1);
}
