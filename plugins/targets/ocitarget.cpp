#include "ocitarget.h"
