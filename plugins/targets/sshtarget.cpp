#include "sshtarget.h"
