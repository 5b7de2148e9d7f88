#include "agenttarget.h"
