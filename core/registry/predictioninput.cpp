#include "registry/predictor.h"

// Stub: helper B implements predictionInputFromJson/Csv.
