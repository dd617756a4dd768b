// A fault scenario brings up its own control plane and waits out failovers: minutes, not seconds.
jest.setTimeout(5 * 60 * 1000);
