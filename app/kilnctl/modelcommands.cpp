// Stub: a helper implements modelcommands.
