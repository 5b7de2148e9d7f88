// Stub: a helper implements modelpages.
