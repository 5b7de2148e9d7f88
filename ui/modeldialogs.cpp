// Stub: a helper implements modeldialogs.
