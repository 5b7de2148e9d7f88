// kilnctl workspace push|pull: copies a workspace into a team store and back.
#include "cli.h"
