// Placeholder: the reviewer may move route handlers of serveagent.cpp here.
#include "serving/serveagent.h"
