// Tests against a real API server wait for controllers and caches: a minute each, not Jest's 5 s.
jest.setTimeout(60000);
