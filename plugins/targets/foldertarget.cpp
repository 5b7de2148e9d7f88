#include "foldertarget.h"
