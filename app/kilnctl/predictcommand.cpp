// Stub: a helper implements predictcommand.
