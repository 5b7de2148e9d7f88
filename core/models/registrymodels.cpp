// Stub: a helper implements registrymodels.
