// Tests against a real API server wait for controllers and caches: a minute each, not Jest's 5 s.
jest.setTimeout(60000);

// When the global setup could not start the control plane, every cluster test fails with the reason.
const failure = process.env['KUBEVIRT_MIGRATION_TEST_CLUSTER_ERROR'];
if (failure !== undefined) {
  beforeAll(() => {
    throw new Error(`no local control plane: ${failure}`);
  });
}
