#include "serving/requestguard.h"
