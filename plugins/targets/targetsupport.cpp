#include "targetsupport.h"
