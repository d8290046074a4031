// An ES module whose handler is nested, as a Handler string such as "app.handlers.greet" names it.
export const handlers = {
  greet: async (event) => ({ greeting: `hello ${event.name}` }),
};
